import BusMessages
import Foundation

/// The language design.md is written in: Japanese when the `--design-language` setting says
/// so, or (auto) when the session's name is Japanese; English otherwise. Every heading and
/// phrase of the document and drawings comes from `words`, so the two stay in step.
enum DesignLanguage: String, Sendable {
    case en, ja

    /// `auto` follows the session: the language it asked for or of the prompt it began from
    /// (its brief), else Japanese when its name has kana or kanji (someone who names a session
    /// 山の家 reads Japanese).
    static func choose(setting: String, sessionName: String, brief: JSONValue? = nil) -> DesignLanguage {
        if let fixed = DesignLanguage(rawValue: setting) { return fixed }
        if let asked = brief?["language"]?.stringValue.flatMap(DesignLanguage.init(rawValue:)) { return asked }
        let japanese = sessionName.unicodeScalars.contains { (0x3040...0x30FF).contains($0.value) || (0x3400...0x9FFF).contains($0.value) }
        return japanese ? .ja : .en
    }

    /// One tatami (畳) in m², the real-estate rule (不動産の表示に関する公正競争規約: 1.62 m² a mat).
    static let tatami = 1.62

    func words(_ key: DesignWord) -> String {
        let pair = Self.table[key]!
        return self == .ja ? pair.ja : pair.en
    }

    func side(_ side: String) -> String {
        guard self == .ja else { return side }
        return ["north": "北", "south": "南", "east": "東", "west": "西"][side] ?? side
    }

    func kind(_ kind: String) -> String {
        guard self == .ja else { return kind.replacingOccurrences(of: "_", with: " ") }
        return ["door": "ドア", "window": "窓", "stairwell": "階段吹抜け", "shaft": "シャフト", "void": "吹抜け",
                "gable": "切妻", "hip": "寄棟", "irimoya": "入母屋", "flat": "陸屋根", "shed": "片流れ",
                "square": "角柱", "round": "丸柱"][kind] ?? kind
    }

    private static let table: [DesignWord: (en: String, ja: String)] = [
        .purpose: ("Purpose", "概要"), .building: ("The building", "建物"), .storeys: ("Storeys", "階構成"),
        .rooms: ("Rooms", "間取り"), .walls: ("Walls", "壁"), .openings: ("Openings", "開口部"),
        .slabs: ("Floors and slabs", "床・スラブ"), .roof: ("Roof", "屋根"), .stairs: ("Stairs", "階段"),
        .columns: ("Columns", "柱"), .drawings: ("Drawings", "図面"), .materials: ("Materials", "仕上げ・材料"),
        .others: ("Other objects", "その他のオブジェクト"), .timeline: ("Timeline", "作業履歴"),
        .render: ("Latest render", "最新のレンダリング"),
        .footprint: ("Footprint", "建築面積"), .totalFloorArea: ("Total floor area", "延床面積"),
        .plan: ("Plan", "平面図"), .elevation: ("South elevation", "南立面図"),
        .nothing: ("Nothing has been built yet.", "まだ何も作られていません。"),
        .noBuilding: ("No architecture tools have been used yet; the objects are listed below.",
                      "建築ツールはまだ使われていません。オブジェクトは下の表のとおりです。"),
        .storey: ("Storey", "階"), .floorLevel: ("Floor level", "床高"), .floorHeight: ("Floor to floor", "階高"),
        .room: ("Room", "室名"), .size: ("Size (centre lines)", "寸法（芯々）"), .area: ("Area", "面積"),
        .wall: ("Wall", "壁"), .side: ("Side", "位置"), .length: ("Length", "長さ"), .height: ("Height", "高さ"),
        .thickness: ("Thickness", "厚さ"), .kind: ("Kind", "種類"), .widthHeight: ("Width × height", "幅 × 高さ"),
        .sill: ("Sill", "床からの高さ"), .position: ("Position along the wall", "壁に沿った位置"),
        .outline: ("Outline", "外形"), .top: ("Top", "上端"), .holes: ("Openings in it", "開口"),
        .type: ("Type", "形式"), .pitch: ("Pitch", "屋根勾配"), .overhang: ("Overhang", "軒の出"),
        .eaves: ("Eaves height", "軒高"), .ridge: ("Ridge height", "最高高さ（棟）"), .ridgeRuns: ("Ridge runs along", "棟の方向"),
        .gables: ("Gable ends", "妻壁"), .open: ("open (no gable walls)", "開放（妻壁なし）"),
        .riser: ("Riser", "蹴上げ"), .tread: ("Tread", "踏面"), .flight: ("Flight", "段数"), .rise: ("Rise", "階段の高さ"),
        .object: ("Object", "オブジェクト"), .location: ("Location (m)", "位置 (m)"), .collection: ("Collection", "コレクション"),
        .centred: ("centred", "中央"),
        .from: ("From", "位置"), .step: ("Step", "操作"), .outcome: ("Outcome", "結果"), .time: ("Time (UTC)", "時刻 (UTC)"),
        .overall: ("Overall size of the building", "建物の外形寸法"), .commands: ("commands", "コマンド"),
        .built: ("Built with", "使ったツール"), .outsideFaces: ("outside faces of the walls", "壁の外面"),
        .onCentreLines: ("on wall centre lines", "壁芯"), .aboveGround: ("above the ground floor", "1階床から"),
        .brief: ("Brief", "設計条件"), .argument: ("Argument", "項目"), .asked: ("Asked", "指定値"),
        .entryRange: ("Entry's range", "標準範囲"), .measured: ("Built", "実測"), .check: ("Check", "判定"),
        .byDefault: ("default", "既定値"), .askedOutside: ("asked outside the range", "指定値が範囲外"),
        .builtOutside: ("built outside the range", "実測が範囲外"),
        .allWithin: ("Every measured value lies within the entry's ranges.", "実測値はすべて標準範囲内。"),
        .outsideCount: ("Values outside the entry's ranges", "標準範囲外の値"),
    ]
}
