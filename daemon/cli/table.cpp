#include "cli/table.hpp"

#include "cli/printable_text.hpp"

#include <algorithm>

namespace onyx::cli {

size_t display_width(std::string_view text) {
    size_t width = 0;
    for (unsigned char c : text) width += (c & 0xC0) != 0x80 ? 1 : 0;
    return width;
}

std::string shorten(std::string_view text, size_t width) {
    std::string flat(text);
    std::replace_if(flat.begin(), flat.end(), [](char c) { return c == '\n' || c == '\t' || c == '\r'; }, ' ');
    std::string whole = escape_for_terminal(flat);
    if (display_width(whole) <= width) return whole;
    // Cut between pieces, so an escape such as \x1b is kept whole or dropped whole.
    const size_t keep = width > 0 ? width - 1 : 0;
    std::string out, piece;
    size_t used = 0;
    for (std::string_view rest = flat; !rest.empty();) {
        piece.clear();
        rest.remove_prefix(append_terminal_piece(piece, rest));
        used += display_width(piece);
        if (used > keep) break;
        out += piece;
    }
    return out + "…";
}

void Table::add_row(std::vector<Cell> cells) {
    cells.resize(columns_.size());
    for (auto& cell : cells) cell.text = escape_for_terminal(cell.text);
    rows_.push_back(std::move(cells));
}

std::vector<size_t> Table::widths() const {
    std::vector<size_t> out;
    for (size_t c = 0; c < columns_.size(); ++c) {
        size_t w = display_width(columns_[c].heading);
        for (const auto& row : rows_) w = std::max(w, display_width(row[c].text));
        out.push_back(w);
    }
    return out;
}

std::string Table::line(const std::vector<Cell>& cells, const std::vector<size_t>& widths, bool colour) const {
    std::string out;
    for (size_t c = 0; c < columns_.size(); ++c) {
        const std::string padding(widths[c] - display_width(cells[c].text), ' ');
        if (c > 0) out += "  ";
        if (columns_[c].right) out += padding;
        out += paint(cells[c].text, cells[c].colour, colour);
        if (!columns_[c].right && c + 1 < columns_.size()) out += padding;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
}

std::string Table::render(bool colour) const {
    const auto w = widths();
    std::vector<Cell> heading;
    for (const auto& column : columns_) heading.emplace_back(column.heading, Colour::bold);
    std::string out = line(heading, w, colour);
    for (const auto& row : rows_) out += line(row, w, colour);
    return out;
}

}  // namespace onyx::cli

namespace onyx::cli {

std::string render_fields(const std::vector<std::pair<std::string, std::string>>& fields, bool colour) {
    size_t width = 0;
    for (const auto& [label, value] : fields) width = std::max(width, display_width(label));
    std::string out;
    for (const auto& [label, value] : fields) {
        out += paint(label, Colour::bold, colour) + std::string(width - display_width(label) + 2, ' ') +
               escape_for_terminal(value);
        while (!out.empty() && out.back() == ' ') out.pop_back();
        out += "\n";
    }
    return out;
}

}  // namespace onyx::cli
