#include "streams/windows/trimmed_vector.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <vector>

using namespace streams;

namespace {

std::vector<int> items(const trimmed_vector<std::unique_ptr<int>>& v) {
  std::vector<int> out;
  for (auto& p : v)
    out.push_back(*p);
  return out;
}

} // namespace

TEST_SUITE("windows.trimmed_vector") {
  TEST_CASE("a sliding run of elements: the oldest dropped, the newest added, order kept") {
    trimmed_vector<std::unique_ptr<int>> v;
    for (int i = 0; i < 1000; ++i) {
      v.push_back(std::make_unique<int>(i));
      if (v.size() > 60) {
        v.trim_front(v.begin() + 1);
        CHECK(v.size() == 60);
        CHECK(*v.front() == i - 59);
        CHECK(*v.back() == i);
      }
    }
    std::vector<int> want;
    for (int i = 940; i < 1000; ++i)
      want.push_back(i);
    CHECK(items(v) == want);
  }

  TEST_CASE("inserting and erasing in the middle, trimming several or all") {
    trimmed_vector<std::unique_ptr<int>> v;
    for (int i : {1, 2, 4, 5})
      v.push_back(std::make_unique<int>(i));
    v.trim_front(v.begin() + 1);
    auto at = v.insert(v.begin() + 1, std::make_unique<int>(3));
    CHECK(**at == 3);
    CHECK(items(v) == std::vector<int>{2, 3, 4, 5});
    v.erase(v.begin() + 2);
    CHECK(items(v) == std::vector<int>{2, 3, 5});
    v.trim_front(v.begin()); // nothing
    CHECK(items(v) == std::vector<int>{2, 3, 5});
    v.trim_front(v.end());
    CHECK(v.empty());
    CHECK(v.size() == 0);
    CHECK(v.begin() == v.end());
    v.push_back(std::make_unique<int>(6));
    CHECK(items(v) == std::vector<int>{6});
  }

  TEST_CASE("what a dropped element holds is let go of at once") {
    trimmed_vector<std::shared_ptr<int>> v;
    auto held = std::make_shared<int>(7);
    std::weak_ptr<int> watch = held;
    v.push_back(std::move(held));
    for (int i = 0; i < 10; ++i)
      v.push_back(std::make_shared<int>(i));
    v.trim_front(v.begin() + 1); // 1 of 11 dropped: kept in place, not yet compacted
    CHECK(watch.expired());
    CHECK(v.size() == 10);
  }
}
