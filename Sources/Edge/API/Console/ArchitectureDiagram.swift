import Contracts

/// The chosen components as boxes in the order data flows through the capabilities, left to
/// right and wrapping after `perRow`, with an arrow between neighbours on a row: coordinates
/// for the page's inline SVG (no renderer, no script).
struct ArchitectureDiagram {
  static let order = ["ingest", "transform", "store", "feature", "train", "serve", "observe", "govern"]
  static let boxWidth = 150
  static let boxHeight = 56
  static let gap = 34
  static let perRow = 5

  let components: [Mlops_V1_Component]

  var ordered: [Mlops_V1_Component] {
    components.sorted {
      (Self.order.firstIndex(of: $0.id) ?? Self.order.count, $0.id) < (
        Self.order.firstIndex(of: $1.id) ?? Self.order.count, $1.id
      )
    }
  }

  var values: [String: Any] {
    let items = ordered
    let rows = max(1, (items.count + Self.perRow - 1) / Self.perRow)
    let columns = min(max(items.count, 1), Self.perRow)
    var boxes: [[String: Any]] = []
    var arrows: [[String: Any]] = []
    for (index, component) in items.enumerated() {
      let x = 8 + (index % Self.perRow) * (Self.boxWidth + Self.gap)
      let y = 8 + (index / Self.perRow) * (Self.boxHeight + Self.gap)
      boxes.append([
        "x": x, "y": y, "w": Self.boxWidth, "h": Self.boxHeight, "tx": x + 10, "ty1": y + 22, "ty2": y + 42,
        "capability": component.id, "option": Self.shortened(component.option),
      ])
      if index % Self.perRow != 0 {
        arrows.append(["x1": x - Self.gap, "x2": x, "y": y + Self.boxHeight / 2])
      }
    }
    return [
      "width": 16 + columns * Self.boxWidth + (columns - 1) * Self.gap,
      "height": 16 + rows * Self.boxHeight + (rows - 1) * Self.gap, "boxes": boxes, "arrows": arrows,
    ]
  }

  /// Option names fit their box: long ones end with an ellipsis (the table beside it has them whole).
  static func shortened(_ text: String) -> String {
    text.count <= 20 ? text : String(text.prefix(19)) + "…"
  }
}
