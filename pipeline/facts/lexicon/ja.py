"""Japanese news words and cue patterns: data only, read by ``pipeline.facts.japanese``.

Japanese news copy (NHK style) is regular: the predicate and its modality close the clause ("…に臨みます",
"…を超える見込みです"), quotes sit in 「」 before a speech verb ("「…」と述べました"), and actors are
written with a role ("高市総理大臣", "レビット報道官"). The tables below name those patterns at the level of
the language, never of one story. Each pattern is a regular-expression alternation. Adding a word here
changes extraction: rerun ``newswatch eval facts`` on the Japanese gold.
"""

from __future__ import annotations

# Event triggers per type (see eval/FACTS.md, "Japanese items"); longer forms first so that one alternation
# takes "首脳会談" whole rather than "会談".
TRIGGERS: dict[str, str] = {
    "meeting": (
        r"首脳会談|電話会談|首脳会議|外相会談|閣僚会合|首脳会合|高官協議|サミット|会談|協議|面会|懇談|訪問|訪日|訪米|"
        r"訪中|来日"
    ),
    "agreement": r"共同文書|共同声明|共同宣言|覚書|協定|条約|取り決め|合意|署名|調印|締結|枠組み|(?<=で)一致",
    "investment": r"投資|出資|融資",
    "trade_measure": (
        r"(?:追加関税|相互関税|関税|輸出規制|輸出管理|輸入規制|禁輸|制裁)(?:措置)?|"
        r"輸(?:入|出)(?:停止|禁止|制限)|輸(?:入|出)を(?:停止|禁止|制限|規制)"
    ),
    "defense": r"防衛費|国防費|防衛予算|国防予算|軍事費|防衛装備|配備|共同開発|防衛力の強化",
}
# Meeting words that also name a domestic consultation ("与党が政府と協議"): a meeting only with a leader or two
# countries in its sentence. The others ("首脳会談", "会談", "訪問") take the item's sides when the sentence has none.
WEAK_MEETING = r"協議"
# After a trigger, what makes it a topic or an attribute rather than an event: "関税措置をめぐる裁判",
# "投資先", "会談後", "合意内容".
NOT_EVENT_AFTER = r"をめぐ|のあと|の後|の冒頭|の席上|の際|の中で|のなかで|に関す|について|先(?!送)|後(?!の?調整)|前(?!倒し)|内容|額|率|政策|交渉|に向け"
# After a trigger, in its clause, what makes it an agenda item of talks rather than an event of its own:
# "…への投資を含む経済協力などをめぐって意見を交わす", "関税について協議する".
AGENDA_AFTER = (
    r"(?:をめぐって|をめぐり|について|に関して|などで)[^。]{0,16}?"
    r"(?:意見を交わ|意見交換|議論|話し合|協議|会談|確認し|一致し)"
)
# Before a trigger, what makes it part of another word ("直接投資" is still investment; "非関税" is not).
NOT_EVENT_BEFORE = r"非|脱|反"
# Before a trigger, what says the event was already told ("この会談", "同協議"): not a new event when one of
# its type exists.
REFERENCE_BEFORE = r"(?:この|その|同|先の|前回の)$"

# Status cues, read in the clause after the trigger. Lexical cues are verbs of the trigger's own clause (up to
# the first "、" after a verb's continuative form: in "会談し、見直しを求めました" the request is not the
# meeting's); they win. Scoping cues are the nouns and auxiliaries that close a sentence and cover all its
# clauses ("会談し、意見を交わす予定です"); the outermost comes last, so the last one found wins. Else the tense.
LEXICAL_CUES: dict[str, str] = {
    "cancelled": r"中止|見送(?:ら|り|る|っ)|延期|撤回|取りやめ|取り止め|断念|打ち切",
    "denied": r"否定し|否定する",
    "proposed": r"検討|調整して|調整を進め|調整しています|模索|提案|打診|交渉して|交渉を進め|求め(?!られ)",
    # A non-past verb reported as declared: "強化すると発表しました" (announced, to be done).
    "announced": r"(?:る|す|う|く|ぐ|む|つ)と(?:発表|表明|明らかにし|決定し)",
}
SCOPING_CUES: dict[str, str] = {
    "expected": r"見込み|見通し|とみられ|と見られ|可能性|公算|見方",
    "planned": (
        r"予定|方針|考えを示|考えを明らか|意向|計画|目指|ことにしています|ことになりました|ことになっています|"
        r"臨みます|臨む|見据え|控え"
    ),
}
# Where the trigger's own clause ends: "、" after a verb's continuative form ("会談し、", "訪れ、", "行い、").
OWN_CLAUSE_END = r"(?<=[しておりきけえめべねみびぎちいば])、"
# A past predicate: the polite "ました", "でした", plain "…た" after a verb stem, "…だった".
PAST = r"ました|でした|だった|(?:っ|い|し|め|れ|え|け|き|せ|ね|べ|み|び|ち|じ|ん)た(?![いくめ])"
# A predicate of any tense: where a clause (and the reach of its date) ends.
PREDICATE = PAST + r"|します|する(?!こと|方針|予定|見込み|考え|意向|計画)|ます(?!が)|です(?!が)|(?:う|く|す|つ|ぬ|む|る|ぐ|ぶ)(?=[、。]|$)"
# Verbs that make an investment, pledge or defense plan "announced" when past ("発表しました").
ANNOUNCE = r"発表|表明|約束|打ち出|盛り込|公表|明らかにし|決定|決め"
# What ends a clause's reach for status and date: contrastive and coordinating conjunctions.
CLAUSE_BREAK = r"一方、|一方で、|ものの、|(?:た|だ|る|い|す|う)が、"
# Conjunctions that keep a date's reach over the next clause ("24日に…停止する一方、…発動します").
COORDINATORS = r"一方、|とともに、|ほか、|たうえで、|上で、"

# Quotes: 「…」 followed by these (after "と", "などと", "とした上で") attribute the quote to a speaker.
SPEECH_AFTER = (
    r"(?:など)?(?:と(?:(?:改めて|強く|重ねて|繰り返し|記者団に|記者会見で|会見で|[^、。「」]{0,12}に対し)?"
    r"(?:述べ|話し|語り|語っ|評価し|強調し|指摘し|説明し|批判し|訴え|表明し|明らかにし|発言し|答え|"
    r"応じ|コメントし|投稿し|書き込み|反論し|反発し|非難し|警告し|記し|主張し|呼びかけ|示し|伝え|歓迎し|発表し|"
    r"明言し|言明し|断言し|力説し|強弁し|述懐し|言及し|振り返り|振り返っ|明かし|打ち明け|締めくくり|力を込め|"
    r"し(?:まし)?た|しています|"
    # "と" + the speaker's stance + a verb of showing or telling: "と自信を見せました", "と抱負を語りました"
    r"[^、。「」]{1,6}を(?:示し|表明し|にじませ|強調し|見せ|のぞかせ|あらわにし|語り|語っ|述べ|表し|強め)))|"
    r"との(?:考え|認識|見方|見解|意向|立場|方針|姿勢|コメント|声明|談話)を(?:示|明らかに|強調|出|発表))"
)
# The grammatical subject marker that names who acts or speaks ("トランプ大統領は", "政府が").
SUBJECT_MARK = r"は|が|も"

# Dates: "20日", "10月28日", "きょう", "あす", "来週"; a day that is a duration or a count is not a date.
DAY_NOT_AFTER = r"間|以内|以上|後|前|ぶり|連続|目|分|本|米|中|韓|英|独|仏|露|豪|印|欧|朝"
RELATIVE_DAYS: dict[str, int] = {
    "きょう": 0,
    "今日": 0,
    "本日": 0,
    "あす": 1,
    "あした": 1,
    "明日": 1,
    "あさって": 2,
    "明後日": 2,
    "けさ": 0,
    "今朝": 0,
    "今夜": 0,
    "こんや": 0,
    "今晩": 0,
    "きのう": -1,
    "昨日": -1,
    "昨夜": -1,
    "ゆうべ": -1,
    "おととい": -2,
}
RELATIVE_WEEKS: dict[str, int] = {"来週": 1, "週明け": 1, "今週": 0, "先週": -1}  # "週明け": early next week
RELATIVE_MONTHS: dict[str, int] = {"来月": 1, "今月": 0, "先月": -1}

# One-character country abbreviations of headline and compound style: "日米" = Japan and the United States,
# "米中首脳会談", "日韓", "米軍". Read only in runs of two or more, or before one of ABBREVIATION_HEADS.
COUNTRY_ABBREVIATIONS: dict[str, str] = {
    "日": "Japan",
    "米": "United States",
    "中": "China",
    "韓": "South Korea",
    "朝": "North Korea",
    "英": "United Kingdom",
    "豪": "Australia",
    "露": "Russia",
    "独": "Germany",
    "仏": "France",
    "印": "India",
    "加": "Canada",
    "伊": "Italy",
    "比": "Philippines",
    "台": "Taiwan",
}
# Prefixes that make a single abbreviation a country: "対米投資", "訪日", "駐日大使", "来日", "在米" ("中" only after
# 対 and 訪: "滞在中" is "during a stay").
PREFIXES_BEFORE_ABBREVIATION = "対訪駐在来離渡"
# What may follow a pair of abbreviations ("日米首脳会談", "日米両政府", "日米関係", "米中間").
PAIR_HEADS = r"首脳|両政府|両国|政府|関係|同盟|間|外相|防衛|貿易|経済|協議|会談|合意|首脳会談|の"
# What may follow a single "米" / "中" / ... to name the country ("米政府", "米国防総省" is in the gazetteer).
SINGLE_HEADS = r"政府|側|政権|大統領|国務長官|報道官|当局|企業|議会|国内|市場"
# Bare "政府" in Japanese copy is Japan's government ("政府は…"); after these it belongs to someone else or is
# generic ("アメリカの政府", "両政府", "各国政府"): the character before must be one of these, or nothing.
OWN_GOVERNMENT_BEFORE = "、。「」 　はがもをにでとや"
OWN_GOVERNMENT = "政府"
# "日本時間" is a time zone, not Japan; "米ドル" a currency.
NOT_COUNTRY_AFTER = r"時間|円|ドル"

# Japanese names of places, bodies and people the English gazetteer (config/entities.yaml) has no Japanese
# form for: surface -> (canonical English name, type, kind). Kind "country" makes a default participant.
PLACES: dict[str, tuple[str, str, str]] = {
    "ホルムズ海峡": ("Strait of Hormuz", "GPE", "region"),
    "南シナ海": ("South China Sea", "GPE", "region"),
    "東シナ海": ("East China Sea", "GPE", "region"),
    "台湾海峡": ("Taiwan Strait", "GPE", "region"),
    "アラビア海": ("Arabian Sea", "GPE", "region"),
    "紅海": ("Red Sea", "GPE", "region"),
    "ペルシャ湾": ("Persian Gulf", "GPE", "region"),
    "ヨーロッパ": ("Europe", "GPE", "region"),
    "中東": ("Middle East", "GPE", "region"),
    "アフリカ": ("Africa", "GPE", "region"),
    "グリーンランド": ("Greenland", "GPE", "country"),
    "オマーン": ("Oman", "GPE", "country"),
    "デンマーク": ("Denmark", "GPE", "country"),
    "サウジアラビア": ("Saudi Arabia", "GPE", "country"),
    "カタール": ("Qatar", "GPE", "country"),
    "イラク": ("Iraq", "GPE", "country"),
    "シリア": ("Syria", "GPE", "country"),
    "トルコ": ("Turkey", "GPE", "country"),
    "エジプト": ("Egypt", "GPE", "country"),
    "パキスタン": ("Pakistan", "GPE", "country"),
    "イタリア": ("Italy", "GPE", "country"),
    "スペイン": ("Spain", "GPE", "country"),
    "オランダ": ("Netherlands", "GPE", "country"),
    "ベルギー": ("Belgium", "GPE", "country"),
    "スイス": ("Switzerland", "GPE", "country"),
    "ポーランド": ("Poland", "GPE", "country"),
    "スウェーデン": ("Sweden", "GPE", "country"),
    "ノルウェー": ("Norway", "GPE", "country"),
    "フィンランド": ("Finland", "GPE", "country"),
    "ブラジル": ("Brazil", "GPE", "country"),
    "メキシコ": ("Mexico", "GPE", "country"),
    "アルゼンチン": ("Argentina", "GPE", "country"),
    "チリ": ("Chile", "GPE", "country"),
    "ペルー": ("Peru", "GPE", "country"),
    "南アフリカ": ("South Africa", "GPE", "country"),
    "コンゴ": ("Democratic Republic of the Congo", "GPE", "country"),
    "ニュージーランド": ("New Zealand", "GPE", "country"),
    "モンゴル": ("Mongolia", "GPE", "country"),
    "カザフスタン": ("Kazakhstan", "GPE", "country"),
    "ミャンマー": ("Myanmar", "GPE", "country"),
    "カンボジア": ("Cambodia", "GPE", "country"),
    "ラオス": ("Laos", "GPE", "country"),
    "バングラデシュ": ("Bangladesh", "GPE", "country"),
    "ベネズエラ": ("Venezuela", "GPE", "country"),
    "レバノン": ("Lebanon", "GPE", "country"),
    "ヨルダン": ("Jordan", "GPE", "country"),
    "パレスチナ": ("Palestine", "GPE", "country"),
    "ガザ地区": ("Gaza Strip", "GPE", "region"),
    "ガザ": ("Gaza Strip", "GPE", "region"),
    "アラブ首長国連邦": ("United Arab Emirates", "GPE", "country"),
    "UAE": ("United Arab Emirates", "GPE", "country"),
    "クウェート": ("Kuwait", "GPE", "country"),
    "バーレーン": ("Bahrain", "GPE", "country"),
    "イエメン": ("Yemen", "GPE", "country"),
    "アフガニスタン": ("Afghanistan", "GPE", "country"),
    "ベラルーシ": ("Belarus", "GPE", "country"),
    "ハンガリー": ("Hungary", "GPE", "country"),
    "ギリシャ": ("Greece", "GPE", "country"),
    "ポルトガル": ("Portugal", "GPE", "country"),
    "オーストリア": ("Austria", "GPE", "country"),
    "チェコ": ("Czech Republic", "GPE", "country"),
    "ルーマニア": ("Romania", "GPE", "country"),
    "アイルランド": ("Ireland", "GPE", "country"),
    "ナイジェリア": ("Nigeria", "GPE", "country"),
    "ケニア": ("Kenya", "GPE", "country"),
    "キューバ": ("Cuba", "GPE", "country"),
    "コロンビア": ("Colombia", "GPE", "country"),
    "スリランカ": ("Sri Lanka", "GPE", "country"),
    "ネパール": ("Nepal", "GPE", "country"),
    "ニューヨーク": ("New York", "GPE", "city"),
    "ニューデリー": ("New Delhi", "GPE", "city"),
    "シドニー": ("Sydney", "GPE", "city"),
    "キーウ": ("Kyiv", "GPE", "city"),
    "エルサレム": ("Jerusalem", "GPE", "city"),
    "ドバイ": ("Dubai", "GPE", "city"),
    "ホノルル": ("Honolulu", "GPE", "city"),
    "名古屋": ("Nagoya", "GPE", "city"),
    "福岡": ("Fukuoka", "GPE", "city"),
    "札幌": ("Sapporo", "GPE", "city"),
    "神戸": ("Kobe", "GPE", "city"),
    "仙台": ("Sendai", "GPE", "city"),
    "那覇": ("Naha", "GPE", "city"),
    "ロンドン": ("London", "GPE", "city"),
    "パリ": ("Paris", "GPE", "city"),
    "ベルリン": ("Berlin", "GPE", "city"),
    "ミュンヘン": ("Munich", "GPE", "city"),
    "ミラノ": ("Milan", "GPE", "city"),
    "コルティナ": ("Cortina d'Ampezzo", "GPE", "city"),
    "ローマ": ("Rome", "GPE", "city"),
    "モスクワ": ("Moscow", "GPE", "city"),
    "ブリュッセル": ("Brussels", "GPE", "city"),
    "ジュネーブ": ("Geneva", "GPE", "city"),
    "テヘラン": ("Tehran", "GPE", "city"),
    "ロサンゼルス": ("Los Angeles", "GPE", "city"),
    "シカゴ": ("Chicago", "GPE", "city"),
    "ハワイ": ("Hawaii", "GPE", "state"),
    "カリフォルニア": ("California", "GPE", "state"),
    "テキサス": ("Texas", "GPE", "state"),
    "アラスカ": ("Alaska", "GPE", "state"),
}
ORGANIZATIONS: dict[str, tuple[str, str, str]] = {
    "米軍": ("United States Armed Forces", "ORG", ""),
    "アメリカ軍": ("United States Armed Forces", "ORG", ""),
    "アメリカの海軍": ("United States Navy", "ORG", ""),
    "アメリカ海軍": ("United States Navy", "ORG", ""),
    "米海軍": ("United States Navy", "ORG", ""),
    "参議院": ("House of Councillors", "ORG", ""),
    "衆議院": ("House of Representatives", "ORG", ""),
    "内閣府": ("Cabinet Office", "ORG", ""),
    "厚生労働省": ("Ministry of Health, Labour and Welfare", "ORG", ""),
    "国土交通省": ("Ministry of Land, Infrastructure, Transport and Tourism", "ORG", ""),
    "総務省": ("Ministry of Internal Affairs and Communications", "ORG", ""),
    "環境省": ("Ministry of the Environment", "ORG", ""),
    "法務省": ("Ministry of Justice", "ORG", ""),
    "金融庁": ("Financial Services Agency", "ORG", ""),
    "気象庁": ("Japan Meteorological Agency", "ORG", ""),
    "宮内庁": ("Imperial Household Agency", "ORG", ""),
    "警察庁": ("National Police Agency", "ORG", ""),
    "警視庁": ("Metropolitan Police Department", "ORG", ""),
    "東京電力": ("Tokyo Electric Power Company", "ORG", ""),
    "原子力規制委員会": ("Nuclear Regulation Authority", "ORG", ""),
    "最高裁判所": ("Supreme Court of Japan", "ORG", ""),
    "ミュンヘン安全保障会議": ("Munich Security Conference", "ORG", ""),
    "ミュンヘン安保会議": ("Munich Security Conference", "ORG", ""),
    "ポリティコ": ("Politico", "ORG", "media"),
    "NHK": ("NHK", "ORG", "media"),
    "国際エネルギー機関": ("International Energy Agency", "ORG", ""),
    "IEA": ("International Energy Agency", "ORG", ""),
    "NATO": ("NATO", "ORG", ""),
    "北大西洋条約機構": ("NATO", "ORG", ""),
    "国際原子力機関": ("International Atomic Energy Agency", "ORG", ""),
    "IAEA": ("International Atomic Energy Agency", "ORG", ""),
    "OPEC": ("OPEC", "ORG", ""),
    "石油輸出国機構": ("OPEC", "ORG", ""),
    "国際通貨基金": ("International Monetary Fund", "ORG", ""),
    "IMF": ("International Monetary Fund", "ORG", ""),
    "連邦最高裁判所": ("Supreme Court of the United States", "ORG", ""),
}
PERSONS: dict[str, tuple[str, str, str]] = {
    "レビット": ("Karoline Leavitt", "PERSON", ""),
    "ハメネイ": ("Ali Khamenei", "PERSON", ""),
    "ネタニヤフ": ("Benjamin Netanyahu", "PERSON", ""),
    "ゼレンスキー": ("Volodymyr Zelenskyy", "PERSON", ""),
    "マクロン": ("Emmanuel Macron", "PERSON", ""),
    "メルツ": ("Friedrich Merz", "PERSON", ""),
    "スターマー": ("Keir Starmer", "PERSON", ""),
    "バンス": ("JD Vance", "PERSON", ""),
    "ウィトコフ": ("Steve Witkoff", "PERSON", ""),
}
# Role words that may follow a person's name and belong to the mention ("レビット報道官", "高市総理大臣").
ROLE_SUFFIX = (
    r"総理大臣|首相|大統領|副大統領|国務長官|財務長官|商務長官|国防長官|戦争長官|通商代表|報道官|外相|外務大臣|"
    r"防衛相|防衛大臣|経済産業相|経済産業大臣|官房長官|財務相|財務大臣|国家主席|主席|首席補佐官|特使|大使|議長|"
    r"長官|大臣|氏|総裁|会長|社長|代表"
)
# Offices by their Japanese titles -> the gazetteer's role (config/entities.yaml: role and terms). A surname with
# the title ("片山財務大臣") is the holder on the publication date when the holder's Japanese name starts with that
# surname; a title alone as a speaker ("首相は「…」と述べました") is the person the item names with it, else the
# holder.
OFFICES: dict[str, str] = {
    "総理大臣": "Prime Minister of Japan",
    "首相": "Prime Minister of Japan",
    "官房長官": "Chief Cabinet Secretary of Japan",
    "外務大臣": "Minister for Foreign Affairs of Japan",
    "外相": "Minister for Foreign Affairs of Japan",
    "財務大臣": "Minister of Finance of Japan",
    "財務相": "Minister of Finance of Japan",
    "防衛大臣": "Minister of Defense of Japan",
    "防衛相": "Minister of Defense of Japan",
    "経済産業大臣": "Minister of Economy, Trade and Industry of Japan",
    "経済産業相": "Minister of Economy, Trade and Industry of Japan",
    "経産相": "Minister of Economy, Trade and Industry of Japan",
    "経済安全保障担当大臣": "Minister of State for Economic Security and for Science and Technology Policy of Japan",
    "大統領": "President of the United States",
}
