# Pinned versions of the real components the tests run against. Sourced by the tool scripts.
# Change a version here and the cache key changes with it: nothing stale is ever reused.
K8S_VERSION=1.36.3
ETCD_VERSION=3.6.16
GATEKEEPER_VERSION=3.23.0
OPA_VERSION=1.22.3
# cosign and crane share one tools module (cosign already requires go-containerregistry); crane is
# pinned to the go-containerregistry release cosign itself requires, so adding it moves nothing.
COSIGN_VERSION=3.1.3
CRANE_VERSION=0.21.7
# argo-health (test/tools/argo-health): Argo CD's Lua VM, gopher-lua, for the health check file.
GOPHER_LUA_VERSION=1.1.1
TOOLS="${TOOLS:-$HOME/.cache/ape-tools}"
