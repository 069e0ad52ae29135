#include "plugins/plugin_set.hpp"

#include "support/log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

namespace onyx::plugins {

namespace fs = std::filesystem;

namespace {

// A file descriptor closed on scope exit.
struct Fd {
    int fd = -1;
    explicit Fd(int value) : fd(value) {}
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
};

std::string errno_text(int error) { return std::strerror(error); }

// Where systemd gives us a private writable directory, else the usual temp dir.
std::string staging_base() {
    if (const char* runtime = std::getenv("RUNTIME_DIRECTORY"); runtime != nullptr && *runtime) {
        std::string first = runtime;
        return first.substr(0, first.find(':'));  // RuntimeDirectory= may list several
    }
    if (const char* tmp = std::getenv("TMPDIR"); tmp != nullptr && *tmp) return tmp;
    return "/tmp";
}

// Copies everything readable from `in` to a new file `to` (mode 0600). Throws PluginError.
void copy_bytes(int in, const std::string& from, const std::string& to) {
    Fd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (out.fd < 0) throw PluginError("plugin " + from + ": cannot stage a copy at " + to + ": " + errno_text(errno));
    char buffer[64 * 1024];
    for (;;) {
        ssize_t n = ::read(in, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw PluginError("plugin " + from + ": cannot read: " + errno_text(errno));
        if (n == 0) return;
        for (ssize_t done = 0; done < n;) {
            ssize_t w = ::write(out.fd, buffer + done, static_cast<size_t>(n - done));
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) throw PluginError("plugin " + from + ": cannot stage a copy at " + to + ": " + errno_text(errno));
            done += w;
        }
    }
}

}  // namespace

bool PluginSet::FileIdentity::operator==(const FileIdentity& other) const {
    return device == other.device && inode == other.inode && size == other.size &&
           mtime.tv_sec == other.mtime.tv_sec && mtime.tv_nsec == other.mtime.tv_nsec;
}

PluginSet::PluginSet(std::string directory, LoadOptions options)
    : directory_(std::move(directory)), options_(std::move(options)),
      current_(std::make_shared<const PluginRegistry>()) {}

PluginSet::~PluginSet() { release_staging_dir(); }

std::vector<std::string> PluginSet::load() {
    Built built = build(options_.strict);
    std::vector<std::string> errors = built.errors;
    install(std::move(built));
    return errors;
}

PluginSet::ReloadResult PluginSet::reload() {
    ReloadResult result;
    Built built;
    try {
        built = build(false);  // collect every broken file, so one reload reports them all
    } catch (const PluginError& e) {
        result.errors.emplace_back(e.what());
    }
    if (!built.registry || (options_.strict && !built.errors.empty())) {
        for (std::string& error : built.errors) result.errors.push_back(std::move(error));
        for (const std::string& error : result.errors) ONYX_LOG(error, "plugin reload: {}", error);
        ONYX_LOG(error, "plugin reload of {} refused; the {} plugins loaded before keep running", directory_,
                 current()->plugin_count());
        return result;
    }
    for (const auto& [path, identity] : built.files) {
        auto old = files_.find(path);
        if (old == files_.end()) ++result.added;
        else if (!(old->second == identity)) ++result.replaced;
    }
    for (const auto& [path, identity] : files_) result.removed += built.files.count(path) == 0 ? 1 : 0;
    for (const std::string& error : built.errors) ONYX_LOG(warn, "plugin reload: {} (skipped)", error);
    ONYX_LOG(info, "plugins reloaded from {}: {} added, {} replaced, {} removed; {} plugins, {} job classes",
             directory_, result.added, result.replaced, result.removed, built.registry->plugin_count(),
             built.registry->classes().size());
    result.ok = true;
    result.errors = built.errors;
    install(std::move(built));
    return result;
}

void PluginSet::set_options(LoadOptions options) { options_ = std::move(options); }

std::shared_ptr<const PluginRegistry> PluginSet::current() const {
    std::lock_guard lock(current_mutex_);
    return current_;
}

PluginSet::Built PluginSet::build(bool stop_at_first_error) {
    Built built;
    auto registry = std::make_shared<PluginRegistry>();
    // The staging directory lives only while files are being loaded (copies are unlinked at
    // once), so a worker killed between reloads leaves nothing behind in /tmp.
    struct ReleaseStaging {
        PluginSet& set;
        ~ReleaseStaging() { set.release_staging_dir(); }
    } release{*this};
    for (const std::string& path : list_plugin_files(directory_)) {
        try {
            load_one(*registry, path, built.files);
        } catch (const PluginError& e) {
            if (stop_at_first_error) throw;
            built.errors.emplace_back(e.what());
        }
    }
    built.registry = std::move(registry);
    return built;
}

void PluginSet::release_staging_dir() {
    if (staging_dir_.empty()) return;
    std::error_code ec;
    fs::remove_all(staging_dir_, ec);  // best effort: only empty subdirectories can be left
    staging_dir_.clear();
}

// Stages a private copy of `path`, loads it, unlinks it. The identity is taken from the open
// file, so it describes exactly the bytes that were loaded even if the file is being replaced.
void PluginSet::load_one(PluginRegistry& registry, const std::string& path, Snapshot& files) {
    Fd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st {};
    if (in.fd < 0 || ::fstat(in.fd, &st) != 0) throw PluginError("plugin " + path + ": cannot open: " + errno_text(errno));
    // A fresh subdirectory keeps the file's own name, which names plugins that give none.
    const std::string dir = staging_dir() + "/" + std::to_string(next_copy_++);
    if (::mkdir(dir.c_str(), 0700) != 0)
        throw PluginError("plugin " + path + ": cannot create " + dir + ": " + errno_text(errno));
    const std::string copy = dir + "/" + fs::path(path).filename().string();
    try {
        copy_bytes(in.fd, path, copy);
        registry.load_file_from(path, copy, options_);
    } catch (...) {
        ::unlink(copy.c_str());
        ::rmdir(dir.c_str());
        throw;
    }
    // The mapping keeps the inode alive, so no later copy can get the same identity.
    ::unlink(copy.c_str());
    ::rmdir(dir.c_str());
    files[path] = FileIdentity{st.st_dev, st.st_ino, st.st_size, st.st_mtim};
}

const std::string& PluginSet::staging_dir() {
    if (!staging_dir_.empty()) return staging_dir_;
    std::string pattern = staging_base() + "/onyx-background-plugins.XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr)
        throw PluginError("plugin staging directory " + pattern + ": " + errno_text(errno));
    staging_dir_ = std::move(pattern);
    return staging_dir_;
}

void PluginSet::install(Built built) {
    std::shared_ptr<const PluginRegistry> previous;
    {
        std::lock_guard lock(current_mutex_);
        previous = std::exchange(current_, std::move(built.registry));
    }
    files_ = std::move(built.files);
    // `previous` may be the last reference: its fini code runs here, outside the lock.
}

}  // namespace onyx::plugins
