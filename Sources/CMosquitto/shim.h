// Debian's libmosquitto (apt-get install libmosquitto-dev): the MQTT client library the
// platform reaches its broker through. Nothing of MQTT itself is written in this project.
#include <mosquitto.h>
