"""Writes the .xlsx fixtures with real date cells, with openpyxl (a library other than the
project's own writer), as another department's system would export them. The files are
committed; run this again only to change them:

    pip install openpyxl && python3 Tests/ZhiliSheetsTests/Fixtures/make_dates_fixtures.py
"""
import datetime
import os

import openpyxl
from openpyxl.utils.datetime import CALENDAR_MAC_1904

HERE = os.path.dirname(os.path.abspath(__file__))
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"


def id_number(birth, sequence):
    """A fictitious resident ID number (GB 11643) of Dunhuang with a correct check digit."""
    body = "620982" + birth.strftime("%Y%m%d") + f"{sequence:03d}"
    return body + CHECK[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]


HEADER = ["姓名", "性别", "证件号码", "证件类型", "出生日期", "民族", "联系电话", "户编码", "与户主关系"]


def resident(ws, name, sex, idn, birth, fmt):
    ws.append([name, sex, idn, "居民身份证", birth, "汉族", "", "620982001001001001001010101", "户主"])
    ws.cell(row=ws.max_row, column=5).number_format = fmt


def residents():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "居民"
    ws.append(HEADER)
    # Built-in format 14 (openpyxl's 'mm-dd-yy' is numFmtId 14), then a custom yyyy-mm-dd.
    resident(ws, "张秀英", "女", id_number(datetime.date(1950, 3, 4), 122), datetime.date(1950, 3, 4), "mm-dd-yy")
    resident(ws, "李建国", "男", id_number(datetime.date(1962, 11, 20), 131), datetime.date(1962, 11, 20), "yyyy-mm-dd")
    # A Chinese date format and a date with a time.
    resident(ws, "王芳", "女", id_number(datetime.date(1988, 2, 29), 142), datetime.date(1988, 2, 29), 'yyyy"年"m"月"d"日"')
    resident(ws, "赵强", "男", id_number(datetime.date(1975, 6, 1), 151),
             datetime.datetime(1975, 6, 1, 8, 30), "yyyy/m/d h:mm")
    # An ID typed into a number cell: the float keeps 15–17 significant digits, not the ID.
    ws.append(["孙丽", "女", float(id_number(datetime.date(1990, 1, 1), 162)[:17] + "4"), "居民身份证",
               datetime.date(1990, 1, 1), "汉族", "", "620982001001001001001010101", "户主"])
    ws.cell(row=ws.max_row, column=5).number_format = "yyyy-mm-dd"
    # A plain number and a duration stay numbers; text stays text.
    ws.append(["数量", "", "", "", 12.5, "", "", "", ""])
    ws.cell(row=ws.max_row, column=5).number_format = "0.00"
    ws.append(["时长", "", "", "", 1.5, "", "", "", ""])
    ws.cell(row=ws.max_row, column=5).number_format = "[h]:mm:ss"
    wb.save(os.path.join(HERE, "residents-dates-openpyxl.xlsx"))


def mac1904():
    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.append(["姓名", "出生日期"])
    ws.append(["钱伟", datetime.date(1985, 7, 1)])
    ws.cell(row=2, column=2).number_format = "yyyy-mm-dd"
    wb.save(os.path.join(HERE, "dates-1904-openpyxl.xlsx"))


if __name__ == "__main__":
    residents()
    mac1904()
