#pragma once

#include "streams/deployment/deployment.hpp"
#include "streams/net/cluster.hpp"
#include "streams/pipeline.hpp"

#include <memory>
#include <stdexcept>
#include <string>

namespace streams::cli {

/// APP could not be turned into a pipeline: unknown name, unloadable library, missing symbol.
/// Its code is "deploy.invalid_app".
class app_error : public error {
public:
  explicit app_error(const std::string& what)
      : error(std::string("deploy.") + to_string(deploy::errc::invalid_app),
              deploy::kind_of(deploy::errc::invalid_app), what) {}
};

/// Builds the pipeline of APP, which names a built-in example or is the path of a shared
/// library exporting `streams_app` (see streams/app.hpp). The pipeline is called `name`, or
/// after the app when `name` is empty. Libraries stay loaded until the process ends: the
/// pipeline's functions live in them.
std::unique_ptr<pipeline> load_app(const std::string& app, const std::string& name = "");

/// For a cluster (the coordinator and every node alike): `d` bound to its config (brokers,
/// topics, options, logging the binding's notes) and placed as the config says.
net::loaded_pipeline bind_for_cluster(deploy::deployment d);
/// The same for the app and config of `r`, loaded here. Throws what loading throws.
net::loaded_pipeline load_for_cluster(const net::deploy_request& r, bool strict);

} // namespace streams::cli
