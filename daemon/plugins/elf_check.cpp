#include "plugins/elf_check.hpp"

#include <elf.h>
#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <vector>

namespace onyx::plugins {
namespace {

std::string beyond(std::string_view what, uint64_t end, uint64_t size) {
    return fmt::format("truncated: {} ends at byte {} but the file has {} bytes (still being copied?)", what, end,
                       size);
}

}  // namespace

std::string elf_truncation_problem(const std::string& path) {
    std::ifstream file(path, std::ios::binary | std::ios::ate);
    if (!file) return {};
    const auto size = static_cast<uint64_t>(file.tellg());
    Elf64_Ehdr header{};
    file.seekg(0);
    if (size < sizeof header || !file.read(reinterpret_cast<char*>(&header), sizeof header)) return {};
    if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 || header.e_ident[EI_CLASS] != ELFCLASS64) return {};
    const uint64_t headers_end = header.e_phoff + uint64_t{header.e_phnum} * header.e_phentsize;
    if (headers_end > size) return beyond("the program header table", headers_end, size);
    if (header.e_shoff != 0) {
        const uint64_t sections_end = header.e_shoff + uint64_t{header.e_shnum} * header.e_shentsize;
        if (sections_end > size) return beyond("the section header table", sections_end, size);
    }
    std::vector<Elf64_Phdr> segments(header.e_phnum);
    file.seekg(static_cast<std::streamoff>(header.e_phoff));
    for (auto& segment : segments) {
        if (!file.read(reinterpret_cast<char*>(&segment), sizeof segment)) return {};
    }
    for (size_t i = 0; i < segments.size(); ++i) {
        const auto& s = segments[i];
        if (s.p_type != PT_LOAD && s.p_type != PT_DYNAMIC) continue;
        if (s.p_offset + s.p_filesz > size) return beyond(fmt::format("segment {}", i), s.p_offset + s.p_filesz, size);
    }
    return {};
}

}  // namespace onyx::plugins
