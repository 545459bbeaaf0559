#pragma once

#include "streams/sink.hpp"

#include <string>
#include <vector>

namespace streams::test {

/// A delivery report that records what a sink reported, in order.
class recording_report : public delivery_report {
public:
  void delivered(const lineage& l) override { delivered_lineages.push_back(l); }
  void failed(const lineage& l, const std::string& reason) override {
    failed_lineages.push_back(l);
    reasons.push_back(reason);
  }

  std::vector<lineage> delivered_lineages;
  std::vector<lineage> failed_lineages;
  std::vector<std::string> reasons;
};

} // namespace streams::test
