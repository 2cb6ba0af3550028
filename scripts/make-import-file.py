#!/usr/bin/env python3
"""Writes a residents import CSV of N fictitious people for benchmarks.

Usage: make-import-file.py HOUSEHOLDS_CSV N OUT_CSV
HOUSEHOLDS_CSV is `zhili export households --under CODE` output; people are spread over
its households. ID numbers use sequence digits 10-89 (the demo city uses 90-99), so they
never collide with the demo's, and carry valid GB 11643 check digits.
"""
import csv, random, sys

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"

def id_number(rng, used):
    while True:
        y, m, d = rng.randint(1940, 2020), rng.randint(1, 12), rng.randint(1, 28)
        first17 = f"620982{y:04d}{m:02d}{d:02d}{rng.randint(10, 89):02d}{rng.randint(0, 9)}"
        full = first17 + CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]
        if full not in used:
            used.add(full)
            return full

def main():
    households_csv, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with open(households_csv, encoding="utf-8-sig") as f:
        codes = [row["户编码"] for row in csv.DictReader(f)]
    rng, used = random.Random(2026), set()
    surnames, given = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗", "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华"
    with open(out, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["姓名", "证件号码", "户编码", "与户主关系", "民族", "手机号码"])
        for i in range(n):
            w.writerow([rng.choice(surnames) + rng.choice(given) + rng.choice(given), id_number(rng, used),
                        codes[i % len(codes)], "其他", "汉族", f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"])

if __name__ == "__main__":
    main()
