#include "lmdb_store.hpp"

#include "scan_mark.hpp"

#include <lmdb.h>

#include <cerrno>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <sys/stat.h>
#include <system_error>
#include <utility>

namespace streams {

namespace {

MDB_val as_val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }

std::string_view as_view(const MDB_val& v) {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
}

/// The directories this process has open, by device and inode: LMDB's locks break when a
/// process opens the same environment twice (lmdb.h, "Caveats").
class open_directories {
public:
  static bool add(std::pair<dev_t, ino_t> id) {
    std::lock_guard<std::mutex> guard(mutex());
    return ids().insert(id).second;
  }
  static void remove(std::pair<dev_t, ino_t> id) {
    std::lock_guard<std::mutex> guard(mutex());
    ids().erase(id);
  }

private:
  static std::mutex& mutex() {
    static std::mutex m;
    return m;
  }
  static std::set<std::pair<dev_t, ino_t>>& ids() {
    static std::set<std::pair<dev_t, ino_t>> s;
    return s;
  }
};

/// A transaction that is aborted unless committed.
class txn_guard {
public:
  explicit txn_guard(MDB_txn* txn) : txn_(txn) {}
  ~txn_guard() { abort(); }
  txn_guard(const txn_guard&) = delete;
  txn_guard& operator=(const txn_guard&) = delete;
  MDB_txn* get() const { return txn_; }
  /// Commits (the transaction is gone afterwards, even when the commit fails).
  int commit() { return mdb_txn_commit(std::exchange(txn_, nullptr)); }
  void abort() {
    if (txn_)
      mdb_txn_abort(std::exchange(txn_, nullptr));
  }

private:
  MDB_txn* txn_;
};

/// An LMDB environment in one directory, with its unnamed database holding every key.
///
/// Locking: `env_mutex_` is held shared by every open transaction of this process and
/// exclusively to change the map size, which LMDB allows only while this process has no
/// transaction open (it remaps the file). `write_mutex_` serializes writers, so only one of
/// them can find the map full and grow it. A scan holds the shared lock while its callback
/// runs; a `get` from that callback does not take it again (std::shared_mutex is not
/// recursive), and a `write` from it is refused: growing the map there would wait for the
/// scan's own lock.
class lmdb_store : public state_store {
public:
  lmdb_store(std::filesystem::path dir, std::size_t initial_map_size) : dir_(std::move(dir)) {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec)
      fail("cannot create the directory", ec.message());
    struct stat st;
    if (::stat(dir_.c_str(), &st) != 0)
      fail("cannot open", std::error_code(errno, std::generic_category()).message());
    id_ = {st.st_dev, st.st_ino};
    if (!open_directories::add(id_))
      fail("cannot open", "this process has it open already");
    registered_ = true;
    try {
      check(mdb_env_create(&env_), "cannot open");
      check(mdb_env_set_mapsize(env_, initial_map_size), "cannot open");
      // MDB_NOTLS: a read transaction is not tied to its thread, since actors migrate
      // between threads, and a thread may open several (a get inside a scan).
      check(mdb_env_open(env_, dir_.c_str(), MDB_NOTLS, 0644), "cannot open");
      // A write transaction now, so that an unwritable store fails here rather than at the
      // first write; it also opens the database handle every later transaction uses.
      std::shared_lock<std::shared_mutex> lock(env_mutex_);
      MDB_txn* txn = nullptr;
      check(begin(&lock, 0, &txn), "cannot write");
      txn_guard t(txn);
      check(mdb_dbi_open(t.get(), nullptr, 0, &dbi_), "cannot write");
      check(t.commit(), "cannot write");
    } catch (...) {
      close();
      throw;
    }
  }

  ~lmdb_store() override { close(); }

  std::optional<std::string> get(std::string_view key) const override {
    if (key.empty() || key.size() > max_state_key_size)
      return std::nullopt; // LMDB would refuse the key: no write can have stored it
    return read("cannot read", [&](MDB_txn* txn) -> std::optional<std::string> {
      MDB_val k = as_val(key), v;
      int rc = mdb_get(txn, dbi_, &k, &v);
      if (rc == MDB_NOTFOUND)
        return std::nullopt;
      check(rc, "cannot read");
      return std::string(as_view(v));
    });
  }

  void scan(std::string_view prefix,
            const std::function<void(std::string_view, std::string_view)>& f) const override {
    read("cannot scan", [&](MDB_txn* txn) {
      MDB_cursor* cursor = nullptr;
      check(mdb_cursor_open(txn, dbi_, &cursor), "cannot scan");
      struct closer {
        MDB_cursor* c;
        ~closer() { mdb_cursor_close(c); }
      } close_cursor{cursor};
      detail::scan_mark mark(this);
      MDB_val k = as_val(prefix), v;
      // MDB_SET_RANGE: the first key at or after the prefix (it rejects an empty key).
      int rc = mdb_cursor_get(cursor, &k, &v, prefix.empty() ? MDB_FIRST : MDB_SET_RANGE);
      for (; rc == 0; rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
        auto key = as_view(k);
        if (key.substr(0, prefix.size()) != prefix)
          return;
        f(key, as_view(v));
      }
      if (rc != MDB_NOTFOUND)
        check(rc, "cannot scan");
    });
  }

  void write(const write_batch& batch) override {
    if (detail::scan_mark::active(this))
      fail("cannot write", "called from inside a scan's callback");
    if (batch.empty())
      return;
    std::lock_guard<std::mutex> writer(write_mutex_);
    for (;;) {
      std::shared_lock<std::shared_mutex> lock(env_mutex_);
      MDB_txn* txn = nullptr;
      check(begin(&lock, 0, &txn), "cannot write");
      txn_guard t(txn);
      auto [rc, failed] = apply(t.get(), batch);
      if (rc == 0)
        rc = t.commit(); // fsyncs: the batch is on disk when this returns 0
      if (rc == MDB_MAP_FULL) {
        // Nothing of the batch is applied: abort, grow the map, start the batch again.
        t.abort();
        lock.unlock();
        grow();
        continue;
      }
      if (rc != 0 && failed < batch.size())
        fail("cannot write", "change " + std::to_string(failed + 1) + " of "
                                 + std::to_string(batch.size()) + " (a key of "
                                 + std::to_string(batch.ops()[failed].first.size())
                                 + " bytes): " + mdb_strerror(rc));
      check(rc, "cannot write");
      return;
    }
  }

  bool durable() const override { return true; }

  std::string where() const override { return dir_.string(); }

private:
  // -- errors --

  [[noreturn]] void fail(const std::string& what, const std::string& why) const {
    throw state_error("state store " + dir_.string() + ": " + what + ": " + why);
  }

  void check(int rc, const char* what) const {
    if (rc != 0)
      fail(what, mdb_strerror(rc));
  }

  // -- transactions and the map size --

  /// Begins a transaction while `lock` (when given) holds `env_mutex_` shared. When another
  /// process has grown the map beyond this process's, adopts its size first, which needs
  /// the lock released for a moment.
  int begin(std::shared_lock<std::shared_mutex>* lock, unsigned flags, MDB_txn** txn) const {
    for (;;) {
      int rc = mdb_txn_begin(env_, nullptr, flags, txn);
      if (rc != MDB_MAP_RESIZED || !lock)
        return rc;
      lock->unlock();
      {
        std::unique_lock<std::shared_mutex> exclusive(env_mutex_);
        check(mdb_env_set_mapsize(env_, 0), "cannot adopt the grown map size");
      }
      lock->lock();
    }
  }

  /// Runs `f` with a read transaction, under the shared lock unless this thread holds it
  /// already for a scan of this store.
  template <class F>
  auto read(const char* what, F f) const -> decltype(f(nullptr)) {
    std::shared_lock<std::shared_mutex> lock(env_mutex_, std::defer_lock);
    bool in_scan = detail::scan_mark::active(this);
    if (!in_scan)
      lock.lock();
    MDB_txn* txn = nullptr;
    // Within a scan the map cannot be remapped: a grown map is an error there.
    check(begin(in_scan ? nullptr : &lock, MDB_RDONLY, &txn), what);
    txn_guard t(txn);
    return f(t.get());
  }

  /// Puts and erases what `batch` says; the first error and the index of the change that
  /// failed, or 0 and the batch's size.
  std::pair<int, std::size_t> apply(MDB_txn* txn, const write_batch& batch) {
    auto& ops = batch.ops();
    for (std::size_t i = 0; i < ops.size(); ++i) {
      auto& [key, value] = ops[i];
      MDB_val k = as_val(key);
      int rc;
      if (value) {
        MDB_val v = as_val(*value);
        rc = mdb_put(txn, dbi_, &k, &v, 0);
      } else {
        rc = mdb_del(txn, dbi_, &k, nullptr);
        if (rc == MDB_NOTFOUND)
          rc = 0;
      }
      if (rc != 0)
        return {rc, i};
    }
    return {0, ops.size()};
  }

  /// Doubles the map, once no transaction of this process is open.
  void grow() {
    std::unique_lock<std::shared_mutex> exclusive(env_mutex_);
    MDB_envinfo info;
    check(mdb_env_info(env_, &info), "cannot grow the map");
    check(mdb_env_set_mapsize(env_, info.me_mapsize * 2), "cannot grow the map");
  }

  void close() {
    if (env_)
      mdb_env_close(env_);
    env_ = nullptr;
    if (registered_)
      open_directories::remove(id_);
    registered_ = false;
  }

  // -- member variables --

  std::filesystem::path dir_;
  std::pair<dev_t, ino_t> id_{};
  bool registered_ = false; // id_ is in open_directories
  MDB_env* env_ = nullptr;
  MDB_dbi dbi_ = 0;
  mutable std::shared_mutex env_mutex_;
  std::mutex write_mutex_;
};

} // namespace

std::unique_ptr<state_store> detail::open_lmdb_store(const std::filesystem::path& dir,
                                                     std::size_t initial_map_size) {
  return std::make_unique<lmdb_store>(dir, initial_map_size);
}

std::unique_ptr<state_store> open_lmdb_store(const std::filesystem::path& dir) {
  return detail::open_lmdb_store(dir, detail::default_lmdb_map_size);
}

} // namespace streams
