import Foundation
import ZhiliApp

exit(await ZhiliCLI.main(CommandLine.arguments))
