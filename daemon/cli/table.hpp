// Aligned text tables for the operator subcommands: a heading row, columns separated by two
// spaces, text columns left-aligned and number columns right-aligned, widths measured in code
// points so UTF-8 queue names line up. Colour is added after padding, so it never moves a column.
// Cell and field texts may hold any bytes read from Redis: they are shown through
// escape_for_terminal (cli/printable_text.hpp), so a NUL or ESC prints as \x00 or \x1b.
#pragma once

#include "cli/terminal.hpp"

#include <string>
#include <utility>
#include <vector>

namespace onyx::cli {

/// One column: its heading and whether its cells are right-aligned (numbers).
struct Column {
    std::string heading;
    bool right = false;
};

/// One cell: text and an optional colour (used only when the table is rendered with colour).
struct Cell {
    /// A plain cell.
    Cell(std::string text_ = {}, Colour colour_ = Colour::none) : text(std::move(text_)), colour(colour_) {}
    /// A plain cell from a literal.
    Cell(const char* text_) : text(text_) {}
    std::string text;
    Colour colour = Colour::none;
};

/// A table built row by row, then rendered once. Not thread-safe.
class Table {
public:
    /// A table with these columns, in order.
    explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

    /// Appends a row; missing cells are empty, extra cells are dropped. Cell texts are kept
    /// escaped for the terminal (escape_for_terminal), so they may hold any bytes.
    void add_row(std::vector<Cell> cells);

    /// Number of rows added.
    size_t size() const { return rows_.size(); }

    /// Heading and rows, each line ending in '\n', no trailing blanks. The heading is bold
    /// when `colour`.
    std::string render(bool colour) const;

private:
    std::vector<size_t> widths() const;
    std::string line(const std::vector<Cell>& cells, const std::vector<size_t>& widths, bool colour) const;

    std::vector<Column> columns_;
    std::vector<std::vector<Cell>> rows_;
};

/// "label  value" lines with the values aligned after the longest label, for one record
/// (`job ID`). Labels are bold when `colour`; values may hold any bytes (shown through
/// escape_for_terminal).
std::string render_fields(const std::vector<std::pair<std::string, std::string>>& fields, bool colour);

/// Display width of UTF-8 text in code points (continuation bytes do not count). Pure.
size_t display_width(std::string_view text);

/// `text` escaped for the terminal (escape_for_terminal) and cut to at most `width` code points,
/// ending in "…" when cut; newlines, tabs and carriage returns become spaces first. An escape
/// such as `\x1b` is never cut in two. Pure.
std::string shorten(std::string_view text, size_t width);

}  // namespace onyx::cli
