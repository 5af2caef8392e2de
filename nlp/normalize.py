"""Canonical form of residents' text, so that rules and models see one spelling.

``normalize`` applies, in order: Unicode NFKC (full-width letters, digits and
punctuation become half-width), traditional → simplified Chinese for the
characters residents actually type, removal of emoji and control characters,
lower-casing, and collapsing of whitespace and repeated punctuation. Digits are
kept: house numbers and times matter to the grid worker.

Traditional → simplified uses the compact table below rather than OpenCC:
OpenCC is a native dependency we do not ship, and residents on the mainland
only occasionally type traditional (older phones, Hong Kong/Taiwan input
methods), so ~600 frequent characters cover them. Only unambiguous one-to-one
characters are listed; those that are also valid simplified characters with
another meaning (乾, 著, 藉, 瞭, 徵 …) are left alone on purpose.
"""

from __future__ import annotations

import re
import unicodedata

# Pairs "繁简", grouped loosely by topic (public order, housing, daily words).
_T2S_PAIRS = """
這这 個个 們们 來来 時时 後后 會会 說说 對对 為为 爲为 與与 過过 還还 沒没 麼么 嗎吗
從从 現现 開开 關关 問问 題题 間间 門门 學学 國国 發发 經经 動动 長长 樣样 點点 種种
體体 實实 進进 頭头 電电 話话 車车 東东 區区 場场 環环 衛卫 聲声 響响 亂乱 髒脏 臟脏
廢废 棄弃 處处 報报 傳传 單单 錢钱 費费 業业 戶户 號号 樓楼 層层 廳厅 廠厂 廁厕 屬属
橋桥 燈灯 線线 網网 絡络 訊讯 溝沟 滲渗 澇涝 積积 壞坏 損损 斷断 塊块 牆墙 磚砖 鐵铁
銅铜 鋼钢 鎖锁 鑰钥 鍋锅 爐炉 煙烟 氣气 燒烧 災灾 險险 傷伤 醫医 藥药 療疗 護护 預预
檢检 測测 驗验 證证 據据 權权 勢势 務务 員员 幹干 黨党 機机 構构 義义 議议 論论 調调
糾纠 紛纷 鬥斗 毆殴 鬧闹 擾扰 擁拥 擠挤 輛辆 輪轮 駛驶 駕驾 駐驻 運运 輸输 貨货 攤摊
販贩 賣卖 買买 價价 賬账 賠赔 償偿 補补 貼贴 資资 綠绿 樹树 園园 葉叶 藝艺 術术 劃划
畫画 規规 範范 則则 違违 蓋盖 圍围 欄栏 擋挡 邊边 側侧 陽阳 陰阴 臺台 颱台 檯台 風风
雲云 霧雾 凍冻 熱热 溫温 濕湿 溼湿 淨净 潔洁 殺杀 蟲虫 蠅蝇 螞蚂 蟻蚁 貓猫 雞鸡 鷄鸡
鴨鸭 鳥鸟 魚鱼 豬猪 馬马 驢驴 飛飞 館馆 廣广 飯饭 飲饮 麵面 麪面 湯汤 鹽盐 醬酱 師师
兒儿 婦妇 親亲 鄰邻 裡里 裏里 內内 頂顶 鋪铺 舖铺 餘余 夠够 幾几 萬万 億亿 碼码 條条
張张 隻只 雙双 項项 類类 別别 級级 組组 織织 結结 設设 備备 裝装 維维 養养 緊紧 嚴严
請请 謝谢 讓让 認认 識识 記记 錄录 寫写 讀读 講讲 訴诉 該该 應应 當当 誰谁 語语 詞词
計计 許许 變变 遠远 達达 適适 連连 週周 遲迟 選选 遺遗 遊游 邏逻 辦办 勞劳 幫帮 極极
標标 準准 檔档 樂乐 橫横 櫃柜 棟栋 槍枪 歡欢 歲岁 歷历 曆历 歸归 殘残 殼壳 漢汉 濟济
滅灭 決决 況况 淺浅 漲涨 滿满 潛潜 灣湾 烏乌 無无 煩烦 爛烂 爭争 爺爷 獨独 獲获 獎奖
產产 畢毕 異异 癢痒 盜盗 盡尽 監监 盤盘 礙碍 確确 礦矿 禮礼 禍祸 穩稳 窮穷 竊窃 競竞
筆笔 節节 築筑 簡简 籃篮 糧粮 紅红 約约 紀纪 純纯 紙纸 細细 終终 綁绑 練练 縣县 總总
繩绳 繼继 續续 罰罚 罵骂 羅罗 聯联 聽听 職职 腦脑 腳脚 膽胆 臉脸 興兴 舊旧 莊庄 華华
藍蓝 衝冲 製制 複复 見见 視视 覺觉 觀观 觸触 訂订 討讨 訪访 評评 詢询 試试 詳详 誤误
課课 談谈 諾诺 讚赞 豐丰 貧贫 責责 貴贵 賊贼 賭赌 趕赶 跡迹 軍军 軟软 較较 載载 輕轻
農农 遞递 錯错 鎮镇 鐘钟 鍾钟 閃闪 閉闭 閒闲 閘闸 陳陈 陸陆 隊队 階阶 際际 隨随 隱隐
雜杂 離离 難难 雖虽 靜静 順顺 須须 領领 額额 顧顾 顯显 飄飘 餓饿 騎骑 騙骗 驚惊 髮发
鬆松 鬍胡 麗丽 黃黄 齊齐 龍龙 壓压 塵尘 墜坠 壩坝 夢梦 夥伙 奪夺 媽妈 嬰婴 寧宁 寵宠
審审 寶宝 將将 專专 尋寻 導导 屍尸 島岛 嶺岭 帶带 庫库 彈弹 彎弯 強强 徹彻 憂忧
懷怀 態态 慣惯 慘惨 懸悬 戲戏 戰战 搶抢 掃扫 掛挂 採采 換换 搖摇 擊击 擔担 擴扩 擺摆
攔拦 數数 於于 暫暂 曬晒 書书 榮荣 歐欧 滾滚 潑泼 濃浓 灑洒 牽牵 瘋疯 眾众 衆众 睏困
稅税 竄窜 簽签 籤签 籠笼 糞粪 編编 緩缓 縫缝 縮缩 習习 聞闻 腫肿 膠胶 臨临 虛虚
褲裤 診诊 詐诈 誠诚 謊谎 質质 購购 躍跃 軌轨 轉转 轟轰 郵邮 鄉乡 醜丑 釋释 針针 銀银
銷销 鋁铝 鏡镜 鑽钻 閣阁 闆板 陝陕 靈灵 頸颈 飽饱 餅饼 驅驱 鬱郁 鹹咸 麥麦 齡龄 壯壮
狀状 獄狱 竈灶 廚厨 彙汇 匯汇 協协 參参 嘆叹 噴喷 嚇吓 團团 圖图 圓圆 塗涂 墳坟 夾夹
寬宽 廟庙 恆恒 惡恶 惱恼 愛爱 懲惩 拋抛 捨舍 掙挣 撈捞 撐撑 攪搅 敗败 暈晕 淚泪 濫滥
瀝沥 爾尔 牠它 瘡疮 縱纵 纏缠 罈坛 壇坛 腸肠 虧亏 襪袜 謠谣 蹤踪 轄辖 鈴铃 鍊炼
煉炼 閥阀 顆颗 颳刮 餵喂 黴霉 營营 佔占 洩泄 丟丢 纜缆 桿杆 啟启 啓启 並并 併并 偽伪
"""

_T2S = {ord(pair[0]): pair[1] for pair in _T2S_PAIRS.split()}

# Emoji, pictographs, variation selectors, zero-width joiners and C0/C1 controls.
# A translate table maps them to None in the same C-level pass as the t2s step.
# fmt: off
_DROP_RANGES = (
    (0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F),
    (0x200B, 0x200F), (0x2060, 0x2064), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
    (0x2300, 0x23FF), (0x2600, 0x27BF), (0x2B00, 0x2BFF),
    (0x1F000, 0x1FAFF), (0xE0000, 0xE007F),
)
# fmt: on
_TABLE: dict[int, str | None] = {cp: None for lo, hi in _DROP_RANGES for cp in range(lo, hi + 1)}
_TABLE.update(_T2S)

_SPACES = re.compile(r"\s+")
# Chinese has no word spaces: a stray space inside a phrase would split terms.
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])")
_REPEATED_PUNCT = re.compile(r"([^\w\s])\1+")


def normalize(text: str) -> str:
    """Return the canonical form of ``text`` (idempotent, pure)."""
    text = unicodedata.normalize("NFKC", text).translate(_TABLE).lower()
    text = _SPACES.sub(" ", text).strip()
    text = _CJK_GAP.sub("", text)
    return _REPEATED_PUNCT.sub(r"\1", text)
