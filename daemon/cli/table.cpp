#include "cli/table.hpp"

#include <algorithm>

namespace onyx::cli {

size_t display_width(std::string_view text) {
    size_t width = 0;
    for (unsigned char c : text) width += (c & 0xC0) != 0x80 ? 1 : 0;
    return width;
}

std::string shorten(std::string_view text, size_t width) {
    const bool cut = display_width(text) > width;
    const size_t keep = cut ? (width > 0 ? width - 1 : 0) : width;
    std::string out;
    size_t points = 0;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c & 0xC0) != 0x80 && ++points > keep) break;
        out += (c == '\n' || c == '\t' || c == '\r') ? ' ' : ch;
    }
    return cut ? out + "…" : out;
}

void Table::add_row(std::vector<Cell> cells) {
    cells.resize(columns_.size());
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
        out += paint(label, Colour::bold, colour) + std::string(width - display_width(label) + 2, ' ') + value;
        while (!out.empty() && out.back() == ' ') out.pop_back();
        out += "\n";
    }
    return out;
}

}  // namespace onyx::cli
