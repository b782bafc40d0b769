#!/usr/bin/env python3
"""Synthetic Koshu catalogue for benchmarks.

Writes providers.toml and programmes.toml in exactly the import format of
crates/koshu/demo/ (`koshu import PROVIDERS.toml PROGRAMMES.toml`). Every classification code
comes from crates/domain/reference/*.toml, read with tomllib; the Japanese text is composed from
the taxonomy labels (ITSS+ fields, 別表2 syllabus items, audiences, layers) and from vocabulary
taken from the seed documents in shared/seeds (サイバー攻撃, 標的型攻撃, CSIRT, 脆弱性診断, ...).

Python 3.11+, standard library only. The output depends only on the arguments and the
reference data: the same --seed gives byte-identical files.

    python3 bench/generate.py --out /tmp/bench-catalogue               # 10,000 / 100,000 / 300
    python3 bench/generate.py --tiny --out /tmp/bench-tiny             # 50 / 400 / 20
    python3 bench/generate.py --programmes 2000 --sessions 15000 --providers 80 --out DIR
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_REFERENCE = REPO / "crates" / "domain" / "reference"

FIRST_DAY = dt.date(2026, 4, 1)
LAST_DAY = dt.date(2028, 3, 31)

# ---------------------------------------------------------------------------------------------
# Vocabulary. Terms marked in the seeds check (`--check-vocab`) are the ones found verbatim in
# shared/seeds; the rest are the usual Japanese names of the same things.
# ---------------------------------------------------------------------------------------------

# Topic words for each ITSS+ field code (itss_fields.toml). Titles, summaries and skills are
# built from these, so a text search for one of them finds programmes of that field.
FIELD_TOPICS: dict[str, list[str]] = {
    "exec_board": ["サイバーセキュリティ経営", "経営者の役割", "取締役会の監督", "情報開示",
                   "サイバーセキュリティ経営ガイドライン"],
    "risk_mgmt": ["リスクマネジメント", "サイバーセキュリティリスク", "事業継続計画",
                  "サプライチェーンセキュリティ", "リスクアセスメント"],
    "digital_mgmt": ["デジタルトランスフォーメーション", "デジタル経営", "クラウドサービス",
                     "データ活用", "IT投資"],
    "sec_mgmt": ["CISO", "セキュリティマネジメント", "セキュリティポリシー", "情報共有",
                 "インシデント対応体制"],
    "biz_strategy": ["調達", "外部委託", "サプライチェーン", "取引先管理", "製品・サービスのセキュアな導入"],
    "biz_operations": ["制御システム", "工場セキュリティ", "IoT", "重要インフラ", "生産現場"],
    "legal": ["個人情報保護", "コンプライアンス", "法令", "契約", "不正アクセス対策"],
    "dx_strategy": ["システム企画", "要件定義", "デジタル事業戦略", "プロジェクトマネジメント",
                    "セキュリティ要件"],
    "dx_architecture": ["セキュアシステム設計", "アーキテクチャ設計", "ゼロトラスト",
                        "クラウドセキュリティ", "ネットワーク設計"],
    "dx_development": ["セキュアプログラミング", "セキュリティテスト", "Webアプリケーション",
                       "脆弱性対策", "ソースコードレビュー"],
    "dx_operations": ["運用・保守", "パッチ管理", "アカウント管理", "バックアップ",
                      "テレワークセキュリティ"],
    "vuln_assessment": ["脆弱性診断", "ペネトレーションテスト", "Webアプリケーション診断",
                        "攻撃手法", "CTF"],
    "sec_monitoring": ["インシデント対応", "ログ分析", "セキュリティ監視", "SOC", "CSIRT",
                       "標的型攻撃"],
    "sec_research": ["マルウェア解析", "フォレンジック", "脅威インテリジェンス", "サイバー攻撃",
                     "攻撃者の手口"],
    "system_audit": ["システム監査", "内部監査", "IT統制", "監査手続"],
    "sec_audit": ["セキュリティ監査", "監査基準", "管理策の評価", "監査報告・助言"],
    "sec_governance": ["セキュリティ統括", "セキュリティ教育", "普及啓発", "CSIRT構築",
                       "インシデントハンドリング"],
}

# 別表2 subjects that fit each field's work (別表1 fixes them for 9 fields; the rest are ours).
SUBJECTS_FOR_FIELD: dict[str, list[str]] = {
    "exec_board": ["1"], "risk_mgmt": ["1"], "digital_mgmt": ["1", "2"], "sec_mgmt": ["1", "4"],
    "biz_strategy": ["1", "2"], "biz_operations": ["3"], "legal": ["1"], "dx_strategy": ["1"],
    "dx_architecture": ["2"], "dx_development": ["2"], "dx_operations": ["2", "3"],
    "vuln_assessment": ["3"], "sec_monitoring": ["3", "4"], "sec_research": ["4"],
    "system_audit": ["1"], "sec_audit": ["1"], "sec_governance": ["1", "4"],
}

# Topics for awareness programmes for the public (no ITSS+ field).
AWARENESS_TOPICS = ["情報モラル", "パスワード管理", "無線LAN", "フィッシング対策", "SNSの安全な使い方",
                    "テレワーク", "情報セキュリティ対策", "ランサムウェア対策", "標的型メール"]

FORMAT_WORDS = {  # by format code: words for the kind of event
    "in_person": ["演習", "研修", "講座", "セミナー", "ワークショップ", "実践講習", "ハンズオン研修"],
    "online": ["オンライン講座", "オンラインセミナー", "Webセミナー", "オンライン演習", "ライブ講座"],
    "hybrid": ["講座", "研修", "セミナー", "演習", "スクール"],
    "on_demand": ["動画講座", "eラーニング", "オンデマンド講座"],
}
FORMAT_WORDS_EN = {
    "in_person": "exercise", "online": "online course", "hybrid": "course", "on_demand": "video course",
}

# Audience phrases by audience code (audiences.toml).
AUDIENCE_PHRASES = {
    "general": "一般の方", "children": "小中学生", "working_age": "働く世代",
    "seniors": "シニア世代", "sme": "中小企業の経営者・担当者", "youth": "学生・若年層",
    "regional": "地域の企業・団体", "educators": "教職員・指導者",
    "public_sector": "地方公共団体・官公庁の職員", "critical_infrastructure": "重要インフラ事業者",
    "enterprise": "企業の情報システム担当者", "riss": "情報処理安全確保支援士（登録セキスペ）",
}
AUDIENCE_TITLE = {
    "general": "一般", "children": "子ども", "working_age": "社会人", "seniors": "シニア",
    "sme": "中小企業", "youth": "学生", "regional": "地域企業", "educators": "教職員",
    "public_sector": "自治体職員", "critical_infrastructure": "重要インフラ事業者",
    "enterprise": "情報システム担当者", "riss": "登録セキスペ",
}
LAYER_AUDIENCES = {  # plausible audiences for each layer code
    "executive": ["enterprise", "sme", "critical_infrastructure", "public_sector", "regional"],
    "strategic": ["enterprise", "sme", "public_sector", "critical_infrastructure", "riss", "regional"],
    "practitioner": ["enterprise", "riss", "public_sector", "critical_infrastructure", "youth",
                     "sme", "working_age"],
}
AWARENESS_AUDIENCES = ["general", "children", "working_age", "seniors", "sme", "youth",
                       "regional", "educators"]

ENVIRONMENTS = ["大規模仮想環境", "実機", "模擬企業ネットワーク", "クラウド上の演習環境",
                "実際のサイバー攻撃事例", "演習環境", "最新の攻撃シナリオ"]
EXERCISES = ["チーム演習", "ハンズオン演習", "グループ討議", "ケーススタディ", "机上演習",
             "CTF形式の競技", "実習"]
EXTRAS = [
    "修了者には修了証を発行する。",
    "講師・講師補助者が受講者一人ひとりをフォローアップする。",
    "受講後もコミュニティで情報共有を続けられる。",
    "情報処理安全確保支援士の特定講習として指定を受ける予定。",
    "受講者アンケートの満足度は90%以上。",
    "少人数制で、実務経験に応じた助言を受けられる。",
    "事前学習の動画とテキストを受講前に配布する。",
    "最新のガイドラインと事例集を教材として用いる。",
    "",
    "",
]
PREREQUISITES = ["", "", "特になし", "TCP/IPとOSの基礎知識", "Linuxの基本操作ができること",
                 "情報セキュリティマネジメント試験相当の知識", "セキュリティ関連業務の実務経験1年以上",
                 "情報処理安全確保支援士（登録セキスペ）であること", "Webアプリケーション開発の経験"]
ELIGIBILITY = ["", "", "どなたでも受講可能", "地方公共団体の職員", "会員企業の社員",
               "高専・大学の学生", "中小企業の経営者・従業員", "登録セキスペ", "{pref}内に勤務する方"]
DURATIONS = [  # (duration_ja, total_hours or None, days)
    ("半日（3時間）", 3.0, 1), ("1日（6時間）", 6.0, 1), ("1日", None, 1), ("2日間", 12.0, 2),
    ("3日間", 18.0, 3), ("5日間", 30.0, 5), ("全6回（各2時間）", 12.0, 1),
    ("約3か月（全12回）", 24.0, 1), ("90分", 1.5, 1), ("2時間", 2.0, 1),
    ("個人学習2時間＋当日6時間", 8.0, 1), ("", None, 1),
]
ON_DEMAND_DURATIONS = [("オンデマンド（約4時間）", 4.0, 60), ("動画全11回", 5.5, 90),
                       ("受講期間3か月", None, 90), ("約2時間", 2.0, 30)]
FREQUENCIES = ["年1回", "年2回", "年4回", "毎月", "随時", "年6回（偶数月）"]
VENUE_WORDS = ["市民会館 会議室", "産業振興センター 研修室", "商工会議所 会議室", "駅前貸会議室",
               "大学キャンパス 演習室", "研修センター", "情報プラザ セミナールーム"]
SESSION_NOTES = ["定員に達し次第締め切り", "午前の部", "午後の部", "オンライン同時配信あり",
                 "会場は変更になる場合があります", "2日目は演習のみ"]
COURSE_LETTERS = ["A", "B", "C", "D", "E"]

# Provider name parts.
NAME_STEMS = ["日本", "東日本", "西日本", "北斗", "青葉", "桜", "大和", "未来", "光", "翼", "朝日",
              "富士", "瑞穂", "新星", "葵", "東都", "中央", "太平洋", "みなと", "あおば", "つばさ",
              "アーク", "ネクスト", "ブルー", "シグマ", "オメガ", "ライト", "ステラ", "ソラ", "コスモ"]
COMPANY_BUSINESS = ["セキュリティ", "サイバーセキュリティ", "サイバーディフェンス", "情報システム",
                    "ネットワークス", "システムズ", "ITソリューションズ", "セキュリティコンサルティング",
                    "テクノロジーズ", "情報技術", "データセキュリティ", "セキュアテック", "デジタル",
                    "ソフトウェア", "情報サービス"]
MINISTRIES = ["内閣官房 内閣サイバーセキュリティセンター", "総務省", "経済産業省", "文部科学省",
              "警察庁", "防衛省", "デジタル庁", "厚生労働省", "国土交通省"]
# Prefecture population in 10,000s (2020 census, rounded), in code order: session weights.
POPULATION = [522, 124, 121, 230, 96, 107, 183, 287, 193, 194, 734, 628, 1405, 924, 220, 103,
              113, 77, 81, 205, 198, 363, 754, 177, 141, 258, 884, 547, 133, 92, 55, 67, 189,
              280, 134, 72, 95, 133, 69, 514, 81, 131, 174, 112, 107, 159, 147]

PROVIDER_KIND_SHARES = [("company", 0.58), ("university", 0.14), ("association", 0.15),
                        ("agency", 0.06), ("ministry", 0.03), ("other", 0.04)]

FIXED_FEES = [3300, 5500, 11000, 16500, 22000, 33000, 44000, 55000, 66000, 77000, 88000,
              110000, 165000, 220000, 330000]


# ---------------------------------------------------------------------------------------------
# Reference data
# ---------------------------------------------------------------------------------------------

@dataclass
class Reference:
    layers: list[dict]
    audiences: list[dict]
    fields: list[dict]
    subjects: list[dict]  # each with "items"
    kinds: list[str]
    formats: list[str]
    difficulties: list[dict]
    prefectures: list[dict]
    betsuhyo1: list[dict]
    field_by_code: dict[str, dict] = field(default_factory=dict)
    item_by_code: dict[str, dict] = field(default_factory=dict)
    items_by_subject: dict[str, list[dict]] = field(default_factory=dict)

    @staticmethod
    def load(directory: Path) -> "Reference":
        def read(name: str) -> dict:
            with open(directory / name, "rb") as f:
                return tomllib.load(f)

        aud = read("audiences.toml")
        itss = read("itss_fields.toml")
        syl = read("syllabus.toml")
        terms = read("catalogue_terms.toml")
        prefs = read("prefectures.toml")
        b1 = read("betsuhyo1.toml")
        ref = Reference(
            layers=aud["layers"], audiences=aud["audiences"], fields=itss["fields"],
            subjects=syl["subjects"], kinds=[k["code"] for k in terms["kinds"]],
            formats=[f["code"] for f in terms["formats"]], difficulties=terms["difficulties"],
            prefectures=prefs["prefectures"], betsuhyo1=b1["entries"],
        )
        ref.field_by_code = {f["code"]: f for f in ref.fields}
        for s in ref.subjects:
            ref.items_by_subject[s["code"]] = s["items"]
            for item in s["items"]:
                ref.item_by_code[item["code"]] = item
        codes = [p["code"] for p in ref.prefectures]
        if codes != [f"{i:02d}" for i in range(1, 48)]:
            raise SystemExit("prefectures.toml: expected codes 01..47 in order")
        missing = [f["code"] for f in ref.fields
                   if f["code"] not in FIELD_TOPICS or f["code"] not in SUBJECTS_FOR_FIELD]
        if missing:
            raise SystemExit(f"generate.py has no topic words or subjects for ITSS+ fields {missing}")
        subjects = {s["code"] for s in ref.subjects}
        if any(c not in subjects for cs in SUBJECTS_FOR_FIELD.values() for c in cs):
            raise SystemExit("generate.py maps a field to a subject not in syllabus.toml")
        audience_codes = {a["code"] for a in ref.audiences}
        unknown = sorted(set(AUDIENCE_PHRASES) - audience_codes)
        if unknown:
            raise SystemExit(f"generate.py uses audience codes not in audiences.toml: {unknown}")
        for needed in ("in_person", "online", "hybrid", "on_demand"):
            if needed not in ref.formats:
                raise SystemExit(f"catalogue_terms.toml has no format {needed!r}")
        return ref


# ---------------------------------------------------------------------------------------------
# TOML output (the demo's layout: one key per line, inline fee table, bare dates)
# ---------------------------------------------------------------------------------------------

def q(s: str) -> str:
    out = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{out}"'


def qlist(items: list[str]) -> str:
    return "[" + ", ".join(q(i) for i in items) + "]"


def yen(n: int) -> str:
    return f"{n:,}円"


# ---------------------------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------------------------

@dataclass
class Provider:
    id: str
    name_ja: str
    kind: str
    home: int  # index into prefectures
    weight: float


class Generator:
    def __init__(self, ref: Reference, seed: int):
        self.ref = ref
        self.rng = random.Random(seed)
        self.seed = seed
        self.pref_weights = [p ** 0.75 for p in POPULATION]
        self.days = (LAST_DAY - FIRST_DAY).days

    # --- helpers ---
    def pick(self, seq):
        return seq[self.rng.randrange(len(seq))]

    def sample(self, seq, k):
        return self.rng.sample(seq, min(k, len(seq)))

    def pref_index(self) -> int:
        return self.rng.choices(range(47), weights=self.pref_weights)[0]

    @staticmethod
    def stem(name: str) -> str:
        """都道府県名・市名 without the suffix: 静岡県 → 静岡, 札幌市 → 札幌 (北海道 stays)."""
        if name == "北海道":
            return name
        return name[:-1] if name[-1] in "都府県市区" else name

    # --- providers ---
    def providers(self, count: int) -> list[Provider]:
        kinds: list[str] = []
        for kind, share in PROVIDER_KIND_SHARES:
            kinds += [kind] * round(share * count)
        while len(kinds) < count:
            kinds.append("company")
        kinds = kinds[:count]
        ministries = iter(MINISTRIES)
        used: set[str] = set()
        out = []
        for i, kind in enumerate(kinds):
            name = next(ministries, None) if kind == "ministry" else None
            if kind == "ministry" and name is None:
                kind = "agency"
            home = 12 if kind == "ministry" else self.pref_index()  # ministries in 東京都
            if name is None:
                for _ in range(50):
                    name = self.provider_name(kind, home)
                    if name not in used:
                        break
                else:
                    name = f"{name}（{i + 1}）"
            used.add(name)
            # A few large providers run many programmes (Zipf-like).
            weight = 1.0 / (1 + self.rng.random() * 9) ** 1.3
            if kind in ("ministry", "agency"):
                weight *= 1.5
            out.append(Provider(f"bench-v{i + 1:04d}", name, kind, home, weight))
        return out

    def provider_name(self, kind: str, home: int) -> str:
        p = self.ref.prefectures[home]
        pref, city = self.stem(p["name_ja"]), self.stem(p["capital_ja"])
        stem = self.pick(NAME_STEMS + [pref, city])
        r = self.rng.random()
        if kind == "company":
            body = stem + self.pick(COMPANY_BUSINESS)
            return f"株式会社{body}" if r < 0.6 else f"{body}株式会社"
        if kind == "university":
            return self.pick([f"{pref}大学", f"{city}工業大学", f"{stem}情報科学大学",
                              f"{stem}学院大学", f"{city}工業高等専門学校", f"{pref}県立大学"
                              if p["name_ja"].endswith("県") else f"{pref}公立大学",
                              f"{stem}情報セキュリティ大学院大学"])
        if kind == "association":
            return self.pick([f"一般社団法人{pref}情報セキュリティ協会",
                              f"特定非営利活動法人{stem}セキュリティ推進協議会",
                              f"{city}商工会議所", f"一般財団法人{stem}情報処理教育センター",
                              f"公益社団法人{stem}IT人材育成協会",
                              f"一般社団法人{stem}サイバーセキュリティ協会"])
        if kind == "agency":
            return self.pick([f"{p['name_ja']}産業技術支援センター",
                              f"公益財団法人{p['name_ja']}産業振興センター",
                              f"地方独立行政法人{p['name_ja']}情報技術研究所",
                              f"{p['name_ja']}警察本部 サイバー犯罪対策課"])
        return self.pick([p["name_ja"], p["capital_ja"], f"{p['name_ja']}教育委員会"])

    def corporate_number(self) -> str:
        base = "".join(str(self.rng.randrange(10)) for _ in range(12))
        total = 0
        for n, digit in enumerate(reversed(base), start=1):
            total += int(digit) * (1 if n % 2 else 2)
        return f"{9 - total % 9}{base}"

    def providers_toml(self, providers: list[Provider]) -> str:
        kind_en = {"company": "company", "university": "university", "association": "association",
                   "agency": "agency", "ministry": "ministry", "other": "local government"}
        lines = [
            "# Koshu benchmark catalogue: providers. SYNTHETIC data written by bench/generate.py",
            f"# (seed {self.seed}); names are made up from vocabulary lists and are not real bodies",
            "# unless they are ministries. Do not load into a real catalogue.",
        ]
        for p in providers:
            lines += ["", "[[provider]]", f"id = {q(p.id)}", f"name_ja = {q(p.name_ja)}"]
            if self.rng.random() < 0.5:
                home_en = self.ref.prefectures[p.home]["name_en"]
                lines.append(f"name_en = {q(f'Synthetic {kind_en[p.kind]} {p.id} ({home_en})')}")
            lines.append(f"kind = {q(p.kind)}")
            if p.kind in ("company", "association") and self.rng.random() < 0.6:
                lines.append(f"corporate_number = {q(self.corporate_number())}")
            if self.rng.random() < 0.8:
                lines.append(f"url = {q(f'https://{p.id}.example.jp/')}")
            lines.append(f"source = {q(f'bench/generate.py synthetic (seed {self.seed})')}")
        return "\n".join(lines) + "\n"

    # --- programmes ---
    def session_counts(self, programmes: int, sessions: int) -> list[int]:
        """Exactly `sessions` in total, skewed: most programmes have a few, some tour widely."""
        base = 1 if sessions >= programmes else 0
        counts = [base] * programmes
        rest = sessions - base * programmes
        weights = [self.rng.lognormvariate(0, 1.0) for _ in range(programmes)]
        total = sum(weights)
        shares = [w / total * rest for w in weights]
        for i, s in enumerate(shares):
            counts[i] += int(s)
        leftover = sessions - sum(counts)
        by_fraction = sorted(range(programmes), key=lambda i: (-(shares[i] - int(shares[i])), i))
        for i in by_fraction[:leftover]:
            counts[i] += 1
        return counts

    def classify(self):
        """Layer, fields, items, kind, audiences for one programme, kept mutually plausible."""
        ref = self.ref
        if self.rng.random() < 0.12:  # public awareness, no ITSS+ field
            return {
                "layers": [], "fields": [], "items": [], "kind": "awareness",
                "audiences": self.sample(AWARENESS_AUDIENCES, self.rng.randint(1, 3)),
                "difficulty": self.pick(["intro", "intro", "beginner"]),
                "topics": self.sample(AWARENESS_TOPICS, 3),
            }
        if self.rng.random() < 0.45:  # a 特定講習-like course: a 別表1 field and its subject
            entry = self.pick(ref.betsuhyo1)
            primary = ref.field_by_code[entry["field"]]
            items = self.sample(ref.items_by_subject[entry["subject"]], self.rng.randint(2, 4))
        else:
            primary = self.pick(ref.fields)
            subject = self.pick(SUBJECTS_FOR_FIELD[primary["code"]])
            items = self.sample(ref.items_by_subject[subject], self.rng.randint(0, 3))
        fields = [primary]
        if self.rng.random() < 0.4:
            same_layer = [f for f in ref.fields if f["layer"] == primary["layer"] and f is not primary]
            fields += self.sample(same_layer, self.rng.randint(1, 2))
        layers = [primary["layer"]]
        if self.rng.random() < 0.15:
            other = self.pick([l["code"] for l in ref.layers])
            if other not in layers:
                layers.append(other)
        if primary["group"] == "security":
            kind = self.pick(["security_technology"] * 3 + ["security_management"])
        elif primary["layer"] == "executive":
            kind = self.pick(["security_management", "plus_security"])
        else:
            kind = self.pick(["plus_security", "security_management", "security_technology"])
        difficulty = self.rng.choices([d["code"] for d in ref.difficulties],
                                      weights=[1, 3, 4, 2, 1][: len(ref.difficulties)])[0]
        topics: list[str] = []
        for f in fields:
            topics += FIELD_TOPICS[f["code"]]
        topics = list(dict.fromkeys(topics))
        self.rng.shuffle(topics)
        return {
            "layers": layers, "fields": [f["code"] for f in fields],
            "items": sorted((i["code"] for i in items), key=lambda c: tuple(map(int, c.split("-")))),
            "kind": kind, "difficulty": difficulty,
            "audiences": self.sample(LAYER_AUDIENCES[primary["layer"]], self.rng.randint(1, 3)),
            "topics": topics,
        }

    def title(self, c, fmt: str, provider: Provider, n: int) -> str:
        ref, rng = self.ref, self.rng
        topic = c["topics"][0]
        word = self.pick(FORMAT_WORDS[fmt])
        level = next(d["label_ja"] for d in ref.difficulties if d["code"] == c["difficulty"])
        aud = AUDIENCE_TITLE[c["audiences"][0]] if c["audiences"] else "一般"
        pref = self.ref.prefectures[provider.home]["name_ja"]
        practical = "" if "実践" in word else "実践的"
        practice = "" if "実践" in word else "実践"
        patterns = [
            f"{topic}{word}",
            f"{topic}入門{word}",
            f"{aud}向け{topic}{word}",
            f"{practical}{topic}{word}（{level}）",
            f"{topic}・{c['topics'][1]}{word}" if len(c["topics"]) > 1 else f"{topic}基礎{word}",
            f"{pref}{topic}{word}",
            f"{topic}{practice}{word} {self.pick(COURSE_LETTERS)}コース",
        ]
        if c["items"]:
            patterns.append(f"{ref.item_by_code[self.pick(c['items'])]['label_ja']} {word}")
        if c["fields"]:
            patterns.append(f"{ref.field_by_code[c['fields'][0]]['label_ja']}人材育成プログラム")
        t = self.pick(patterns)
        r = rng.random()
        if r < 0.15:
            t += f" 第{rng.randint(1, 12)}期"
        elif r < 0.25:
            t += f" {self.pick(['2026', '2027', '令和8年度', '令和9年度'])}"
        return t

    def summary(self, c, fmt: str) -> str:
        ref = self.ref
        topics = c["topics"]
        aud = "・".join(AUDIENCE_PHRASES[a] for a in c["audiences"][:2]) or "どなたでも"
        word = self.pick(FORMAT_WORDS[fmt])
        depth = self.pick(["基礎から実践まで", "要点を短時間で", "体系的に", "実務に即して", "最新動向を踏まえて"])
        second = topics[1] if len(topics) > 1 else "情報セキュリティ"
        s1 = f"{aud}を対象に、{topics[0]}と{second}を{depth}学ぶ{word}。"
        if c["kind"] == "awareness":
            s2 = self.pick([
                f"身近な{self.pick(['サイバー攻撃', 'トラブル', '被害事例'])}を題材に、今日からできる対策を紹介する。",
                "クイズやワークシートを使い、家庭や職場で役立つポイントを確認する。",
            ])
        else:
            target = (ref.item_by_code[self.pick(c["items"])]["label_ja"] if c["items"]
                      else ref.field_by_code[c["fields"][0]]["label_ja"] + "の業務")
            s2 = (f"{self.pick(ENVIRONMENTS)}を用いた{self.pick(EXERCISES)}を通じて、"
                  f"{target}に必要な知識・技能を身につける。")
        return s1 + s2 + self.pick(EXTRAS)

    def english(self, c, fmt: str) -> tuple[str, str]:
        ref = self.ref
        if c["fields"]:
            label = ref.field_by_code[c["fields"][0]]["label_en"]
        else:
            label = "Everyday information security"
        level = next(d["label_en"] for d in ref.difficulties if d["code"] == c["difficulty"])
        title = f"{label} {FORMAT_WORDS_EN[fmt]} ({level.lower()})"
        audiences = [a["label_en"] for a in ref.audiences if a["code"] in c["audiences"]]
        kind = FORMAT_WORDS_EN[fmt]
        article = "An" if kind[0] in "aeiou" else "A"
        summary = (f"{article} {kind} on {label} for {'; '.join(audiences) or 'everyone'}, "
                   f"with hands-on practice. Synthetic benchmark record.")
        return title, summary

    def fee(self, c) -> str:
        r = self.rng.random()
        hi = {"intro": 3, "beginner": 7, "intermediate": 11, "semi_advanced": 14, "advanced": 15}
        top = hi.get(c["difficulty"], 10)
        if c["kind"] == "awareness" or r < 0.33:
            return '{ type = "free" }'
        if r < 0.70:
            return f'{{ type = "fixed", yen = {self.pick(FIXED_FEES[:top])} }}'
        if r < 0.85:
            lo_i = self.rng.randrange(0, max(1, top - 1))
            hi_i = self.rng.randrange(lo_i + 1, min(len(FIXED_FEES), top + 1))
            return f'{{ type = "range", min_yen = {FIXED_FEES[lo_i]}, max_yen = {FIXED_FEES[hi_i]} }}'
        amount = yen(self.pick(FIXED_FEES[:top]))
        note = self.pick([
            f"会員企業は無料、一般は{amount}（税込）",
            f"地方公共団体の職員は無料。民間企業等は{amount}（税込）",
            f"学生は無料。社会人は{amount}（税込）",
            f"中小企業は補助金の適用により{amount}（税込）",
            f"登録セキスペは{amount}（税込）、それ以外の方は受講料が異なる",
        ])
        return f"{{ type = \"conditional\", note_ja = {q(note)} }}"

    def sessions_toml(self, count: int, fmt: str, provider: Provider, days: int, pid: str) -> list[str]:
        ref, rng = self.ref, self.rng
        if count == 0:
            return []
        pattern = rng.random()
        region = ref.prefectures[provider.home]["region"]
        regional = [i for i, p in enumerate(ref.prefectures) if p["region"] == region]
        span = min(self.days, rng.choice([60, 120, 180, 365, 540, 730]))
        first = rng.randrange(0, self.days - span + 1)
        starts = sorted(first + rng.randrange(0, span + 1) for _ in range(count))
        out = []
        for start in starts:
            starts_on = FIRST_DAY + dt.timedelta(days=start)
            ends_on = min(starts_on + dt.timedelta(days=days - 1), LAST_DAY) if days > 1 else None
            lines = ["", "[[programme.session]]", f"starts_on = {starts_on.isoformat()}"]
            if ends_on and ends_on > starts_on:
                lines.append(f"ends_on = {ends_on.isoformat()}")
            online = fmt in ("online", "on_demand")
            if not online:
                self._placed = getattr(self, "_placed", 0) + 1
                if pattern < 0.25 or self._placed <= 47:  # national tour; the first 47 cover Japan
                    pi = self.next_tour_prefecture()
                elif pattern < 0.45:  # within the provider's region
                    pi = self.pick(regional)
                else:  # mostly at home
                    pi = provider.home if rng.random() < 0.75 else self.pref_index()
                pref = ref.prefectures[pi]
                lines.append(f"prefecture = {q(pref['code'])}")
                lines.append(f"city = {q(pref['capital_ja'])}")
                if rng.random() < 0.5:
                    lines.append(f"venue = {q(self.stem(pref['capital_ja']) + self.pick(VENUE_WORDS))}")
            if online or fmt == "hybrid":
                lines.append("online = true")
            if rng.random() < 0.6:
                capacity = self.pick([20, 24, 30, 40, 50, 60, 80, 100, 200] if not online else [100, 300, 500, 1000])
                lines.append(f"capacity = {capacity}")
                if rng.random() < 0.5:
                    lines.append(f"seats_left = {rng.choice([0, rng.randint(0, capacity), capacity])}")
            if rng.random() < 0.4:
                deadline = starts_on - dt.timedelta(days=rng.randint(3, 30))
                lines.append(f"application_deadline = {deadline.isoformat()}")
            if rng.random() < 0.1:
                lines.append(f"note_ja = {q(self.pick(SESSION_NOTES))}")
            out += lines
        return out

    def next_tour_prefecture(self) -> int:
        """Cycles through all 47 prefectures (so even a tiny catalogue covers every one)."""
        self._tour = (getattr(self, "_tour", -1) + 1) % 47
        return self._tour

    def programmes_toml(self, count: int, sessions: int, providers: list[Provider]) -> tuple[str, dict]:
        ref, rng = self.ref, self.rng
        counts = self.session_counts(count, sessions)
        weights = [p.weight for p in providers]
        lines = [
            "# Koshu benchmark catalogue: programmes and their sessions. SYNTHETIC data written by",
            f"# bench/generate.py (seed {self.seed}): {count} programmes, {sessions} sessions.",
            "# Text is composed from the taxonomy labels and seed vocabulary; nothing here is a real",
            "# programme. Do not load into a real catalogue.",
        ]
        stats = {"programmes": count, "sessions": 0, "online_sessions": 0, "prefectures": set()}
        for n in range(count):
            pid = f"bench-p{n + 1:06d}"
            provider = rng.choices(providers, weights=weights)[0]
            c = self.classify()
            fmt = rng.choices(["in_person", "online", "hybrid", "on_demand"], weights=[5, 3, 1.5, 1])[0]
            if fmt == "on_demand":
                duration, hours, days = self.pick(ON_DEMAND_DURATIONS)
            else:
                duration, hours, days = self.pick(DURATIONS)
            lines += ["", "[[programme]]", f"id = {q(pid)}", f"provider = {q(provider.id)}",
                      f"title_ja = {q(self.title(c, fmt, provider, n))}"]
            english = rng.random() < 0.35
            title_en, summary_en = self.english(c, fmt)
            if english:
                lines.append(f"title_en = {q(title_en)}")
            lines.append(f"summary_ja = {q(self.summary(c, fmt))}")
            if english:
                lines.append(f"summary_en = {q(summary_en)}")
            aud_phrase = AUDIENCE_PHRASES[c["audiences"][0]] if c["audiences"] else "受講者"
            if c["fields"]:
                purpose = self.pick([
                    f"{aud_phrase}の{c['topics'][0]}に関する能力の向上",
                    f"{ref.field_by_code[c['fields'][0]]['label_ja']}を担う人材の育成",
                    f"組織のサイバー攻撃への対処能力の強化",
                ])
            else:
                purpose = f"{aud_phrase}の情報セキュリティ意識の向上"
            lines.append(f"purpose_ja = {q(purpose)}")
            goals = []
            for t in c["topics"][: rng.randint(0, 3)]:
                goals.append(self.pick([f"{t}の要点を説明できる", f"{t}を自組織で実施できる",
                                        f"{t}の結果を報告書にまとめられる"]))
            lines.append(f"goals_ja = {qlist(goals)}")
            skills = c["topics"][: rng.randint(1, 4)]
            skills += [ref.item_by_code[i]["label_ja"] for i in c["items"][:2]]
            lines.append(f"skills_ja = {qlist(list(dict.fromkeys(skills)))}")
            lines.append(f"prerequisites_ja = {q(self.pick(PREREQUISITES))}")
            lines.append(f"layers = {qlist(c['layers'])}")
            lines.append(f"audiences = {qlist(c['audiences'])}")
            lines.append(f"itss_fields = {qlist(c['fields'])}")
            lines.append(f"syllabus_items = {qlist(c['items'])}")
            lines.append(f"kind = {q(c['kind'])}")
            lines.append(f"difficulty = {q(c['difficulty'])}")
            lines.append(f"format = {q(fmt)}")
            lines.append(f"duration_ja = {q(duration)}")
            if hours is not None and rng.random() < 0.7:
                lines.append(f"total_hours = {hours:.1f}")
            if rng.random() < 0.4:
                lines.append(f"frequency_ja = {q(self.pick(FREQUENCIES))}")
            lines.append(f"fee = {self.fee(c)}")
            lines.append(f"language = {q('en' if rng.random() < 0.03 else 'ja')}")
            pref_name = ref.prefectures[provider.home]["name_ja"]
            lines.append(f"eligibility_ja = {q(self.pick(ELIGIBILITY).format(pref=pref_name))}")
            if rng.random() < 0.7:
                lines.append(f"url = {q(f'https://{provider.id}.example.jp/programmes/{pid}')}")
            if rng.random() < 0.2:
                lines.append(f"accessibility_ja = {q(self.pick(['会場はバリアフリー対応', '字幕付き動画あり', '手話通訳の手配が可能（要事前相談）']))}")
            if rng.random() < 0.3:
                lines.append(f"inquiry_ja = {q(f'{provider.name_ja} 研修担当（メール）')}")
            if rng.random() < 0.1:
                lines.append(f"complaint_ja = {q(f'{provider.name_ja} 苦情受付窓口')}")
            lines.append(f"source = {q(f'bench/generate.py synthetic (seed {self.seed})')}")
            session_lines = self.sessions_toml(counts[n], fmt, provider, days, pid)
            lines += session_lines
            stats["sessions"] += counts[n]
            for line in session_lines:
                if line.startswith("prefecture = "):
                    stats["prefectures"].add(line[-3:-1])
                elif line == "online = true":
                    stats["online_sessions"] += 1
        stats["prefectures"] = len(stats["prefectures"])
        return "\n".join(lines) + "\n", stats


def check_vocab(seeds: Path) -> int:
    """Reports which vocabulary terms occur verbatim in the seed documents."""
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.txt")))
    terms = sorted({t for ts in FIELD_TOPICS.values() for t in ts} | set(AWARENESS_TOPICS))
    found = [t for t in terms if t in text]
    print(f"{len(found)}/{len(terms)} topic terms occur verbatim in {seeds}")
    print("not verbatim:", " ".join(t for t in terms if t not in text))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--programmes", type=int, help="number of programmes (default 10000; --tiny: 50)")
    ap.add_argument("--sessions", type=int, help="number of sessions in total (default 100000; --tiny: 400)")
    ap.add_argument("--providers", type=int, help="number of providers (default 300; --tiny: 20)")
    ap.add_argument("--tiny", action="store_true", help="quick check size: 50 programmes, 400 sessions, 20 providers")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1); same seed, same files")
    ap.add_argument("--out", type=Path, help="output directory (created if missing)")
    ap.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE,
                    help=f"reference data directory (default {DEFAULT_REFERENCE})")
    ap.add_argument("--check-vocab", type=Path, metavar="SEEDS_DIR",
                    help="print which topic terms occur in the seed documents, then exit")
    args = ap.parse_args(argv)
    if args.check_vocab:
        return check_vocab(args.check_vocab)
    if args.out is None:
        ap.error("--out is required")
    programmes = args.programmes or (50 if args.tiny else 10_000)
    sessions = args.sessions if args.sessions is not None else (400 if args.tiny else 100_000)
    providers = args.providers or (20 if args.tiny else 300)
    if programmes < 1 or providers < 1 or sessions < 0:
        ap.error("counts must be positive")
    if programmes > 999_999 or providers > 9_999:
        ap.error("ids have room for 999,999 programmes and 9,999 providers")

    ref = Reference.load(args.reference)
    gen = Generator(ref, args.seed)
    prov = gen.providers(providers)
    providers_text = gen.providers_toml(prov)
    programmes_text, stats = gen.programmes_toml(programmes, sessions, prov)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "providers.toml").write_text(providers_text, encoding="utf-8")
    (args.out / "programmes.toml").write_text(programmes_text, encoding="utf-8")
    print(f"wrote {args.out}/providers.toml ({providers} providers) and {args.out}/programmes.toml "
          f"({stats['programmes']} programmes, {stats['sessions']} sessions, "
          f"{stats['online_sessions']} online or hybrid, {stats['prefectures']} prefectures)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
