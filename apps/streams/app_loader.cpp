#include "app_loader.hpp"

#include "../examples/examples.hpp"

#include "streams/deployment/config_binding.hpp"
#include "streams/error.hpp"

#include <spdlog/spdlog.h>

#include <dlfcn.h>

namespace streams::cli {

namespace {

bool looks_like_path(const std::string& app) {
  return app.find('/') != std::string::npos
         || (app.size() > 3 && app.compare(app.size() - 3, 3, ".so") == 0);
}

std::string stem(const std::string& path) {
  auto base = path.substr(path.find_last_of('/') + 1);
  return base.substr(0, base.find('.'));
}

} // namespace

std::unique_ptr<pipeline> load_app(const std::string& app, const std::string& name) {
  if (!looks_like_path(app)) {
    for (auto& e : examples::all()) {
      if (e.name == app) {
        auto p = std::make_unique<pipeline>(name.empty() ? app : name);
        e.build(*p);
        return p;
      }
    }
    std::string known;
    for (auto& e : examples::all())
      known += (known.empty() ? "" : ", ") + e.name;
    throw app_error("unknown app '" + app + "': give a built-in example (" + known
                    + ") or the path of a shared library");
  }
  auto handle = dlopen(app.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    throw app_error("cannot load app '" + app + "': " + dlerror());
  auto fn = reinterpret_cast<app_function>(dlsym(handle, "streams_app"));
  if (!fn)
    throw app_error("app '" + app + "' exports no streams_app function (use STREAMS_APP)");
  auto p = std::make_unique<pipeline>(name.empty() ? stem(app) : name);
  try {
    fn(*p);
  } catch (const pipeline_error&) {
    throw; // reported as the pipeline's problems
  } catch (const std::exception& e) {
    throw app_error("app '" + app + "' failed to build its pipeline: " + e.what());
  } catch (...) {
    throw app_error("app '" + app
                    + "' failed to build its pipeline: an exception that is not a "
                      "std::exception");
  }
  return p;
}

net::loaded_pipeline bind_for_cluster(deploy::deployment d) {
  struct loaded {
    deploy::deployment d;
    deploy::binding bound;
  };
  auto l = std::make_shared<loaded>();
  l->d = std::move(d);
  net::loaded_pipeline out;
  if (l->d.config) {
    l->bound = deploy::bind_config(l->d.p->graph(), *l->d.config, out.options);
    for (auto& n : l->bound.notes)
      spdlog::warn("{}", n);
    out.where = deploy::placement_of(*l->d.config);
  }
  out.g = &l->d.p->graph();
  out.owner = std::move(l);
  return out;
}

net::loaded_pipeline load_for_cluster(const net::deploy_request& r, bool strict) {
  return bind_for_cluster(deploy::load_deployment(load_app(r.app, r.name), r.config, strict));
}

} // namespace streams::cli
