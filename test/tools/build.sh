#!/usr/bin/env bash
# Builds the test tools from the Go module proxy into $TOOLS/bin, keyed by version.
# Usage: test/tools/build.sh [opa|gator|gatekeeper|yaml2json|etcd|kube-apiserver|kubectl|argo-health|cosign|crane|all]...
# A tool already in the cache is not rebuilt. Each tool lives in its own tools module so that
# minimal version selection never moves one tool's dependencies because of another.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.sh
source "$HERE/versions.sh"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
mkdir -p "$TOOLS/bin" "$TOOLS/src"

log() { echo "[tools] $*" >&2; }

build_opa() {
  local out="$TOOLS/bin/opa-v$OPA_VERSION"
  [ -x "$out" ] && return 0
  log "building opa v$OPA_VERSION"
  local dir="$TOOLS/src/opa-v$OPA_VERSION"; mkdir -p "$dir"; cd "$dir"
  [ -f go.mod ] || go mod init local/opabin >/dev/null 2>&1
  go get -tool "github.com/open-policy-agent/opa@v$OPA_VERSION"
  go build -trimpath -ldflags "-s -w -X github.com/open-policy-agent/opa/v1/version.Version=$OPA_VERSION" -o "$out.tmp" github.com/open-policy-agent/opa
  mv "$out.tmp" "$out"
}

gatekeeper_module() {
  local dir="$TOOLS/src/gatekeeper-v$GATEKEEPER_VERSION"; mkdir -p "$dir"; cd "$dir"
  [ -f go.mod ] || go mod init local/gatekeeperbin >/dev/null 2>&1
  if ! grep -q "open-policy-agent/gatekeeper/v3 v$GATEKEEPER_VERSION" go.mod; then
    go get -tool "github.com/open-policy-agent/gatekeeper/v3@v$GATEKEEPER_VERSION"
    go get -tool "github.com/open-policy-agent/gatekeeper/v3/cmd/gator@v$GATEKEEPER_VERSION"
  fi
}

build_gator() {
  local out="$TOOLS/bin/gator-v$GATEKEEPER_VERSION"
  [ -x "$out" ] && return 0
  log "building gator v$GATEKEEPER_VERSION"
  gatekeeper_module
  go build -trimpath -ldflags "-s -w -X github.com/open-policy-agent/gatekeeper/v3/pkg/version.Version=v$GATEKEEPER_VERSION" -o "$out.tmp" github.com/open-policy-agent/gatekeeper/v3/cmd/gator
  mv "$out.tmp" "$out"
}

build_gatekeeper() {
  local out="$TOOLS/bin/gatekeeper-v$GATEKEEPER_VERSION"
  [ -x "$out" ] && return 0
  log "building gatekeeper manager v$GATEKEEPER_VERSION"
  gatekeeper_module
  go build -trimpath -ldflags "-s -w -X github.com/open-policy-agent/gatekeeper/v3/pkg/version.Version=v$GATEKEEPER_VERSION" -o "$out.tmp" github.com/open-policy-agent/gatekeeper/v3
  mv "$out.tmp" "$out"
}

# yaml2json (our source, test/tools/yaml2json) reads manifests as kubectl does, for the render
# parity tests. It is built in the gatekeeper tools module, which already requires the
# sigs.k8s.io/yaml, k8s.io/apimachinery and golang.org/x/text that Gatekeeper uses: nothing more
# to download, and the same reader versions as the Gatekeeper we test against. Keyed by the
# Gatekeeper version like gator; an edited source (compared with the copy built last) rebuilds it.
build_yaml2json() {
  local out="$TOOLS/bin/yaml2json-v$GATEKEEPER_VERSION"
  local src="$HERE/yaml2json/main.go"
  local copy="$TOOLS/src/gatekeeper-v$GATEKEEPER_VERSION/yaml2json/main.go"
  [ -x "$out" ] && cmp -s "$src" "$copy" && return 0
  log "building yaml2json (sigs.k8s.io/yaml of gatekeeper v$GATEKEEPER_VERSION)"
  # A failed build must not leave an older binary behind to pass the check above next time.
  rm -f "$out"
  gatekeeper_module
  mkdir -p yaml2json && cp "$src" yaml2json/main.go
  go build -trimpath -ldflags "-s -w" -o "$out.tmp" ./yaml2json
  mv "$out.tmp" "$out"
}

build_etcd() {
  local out="$TOOLS/bin/etcd-v$ETCD_VERSION"
  [ -x "$out" ] && return 0
  log "building etcd v$ETCD_VERSION"
  local dir="$TOOLS/src/etcd-v$ETCD_VERSION"; mkdir -p "$dir"; cd "$dir"
  [ -f go.mod ] || go mod init local/etcdbin >/dev/null 2>&1
  go get -tool "go.etcd.io/etcd/server/v3@v$ETCD_VERSION"
  go build -trimpath -ldflags "-s -w" -o "$out.tmp" go.etcd.io/etcd/server/v3
  mv "$out.tmp" "$out"
}

# Whether the tools module in the current directory has the tool package $1 (go.mod writes one
# tool as a line, several as a block: ask go mod edit rather than grep the text).
has_tool() { go mod edit -json | grep -q "\"Path\": \"$1\""; }

# The k8s.io/kubernetes tools module (kube-apiserver and kubectl): kubernetes with its staging
# replaces. Leaves the shell in the module directory.
kube_module() {
  local dir="$TOOLS/src/kube-v$K8S_VERSION"; mkdir -p "$dir"; cd "$dir"
  [ -f go.mod ] || go mod init local/kubebin >/dev/null 2>&1
  has_tool k8s.io/kubernetes/cmd/kube-apiserver && return 0
  local gomod
  gomod="$(go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')"
  # kubernetes requires every staging module at v0.0.0 with a ./staging replace; point each at
  # its published release (k8s v1.X.Y <-> staging v0.X.Y). Derived, never hand-listed.
  [ -n "$gomod" ] && [ -f "$gomod" ] || { echo "cannot locate k8s.io/kubernetes@v$K8S_VERSION go.mod" >&2; exit 1; }
  local m
  for m in $(sed -n 's#^[[:space:]]*\(k8s\.io/[A-Za-z0-9._-]*\) => \./staging/.*#\1#p' "$gomod"); do
    go mod edit "-replace=$m=$m@v0.${K8S_VERSION#1.}"
  done
  go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@v$K8S_VERSION"
}

build_kube_apiserver() {
  local out="$TOOLS/bin/kube-apiserver-v$K8S_VERSION"
  [ -x "$out" ] && return 0
  log "building kube-apiserver v$K8S_VERSION (slow: 10-20 min cold on 2 cores)"
  kube_module
  local minor="${K8S_VERSION#1.}"; minor="${minor%%.*}"
  local V=k8s.io/component-base/version
  go build -trimpath -ldflags "-s -w -X $V.gitVersion=v$K8S_VERSION -X $V.gitMajor=1 -X $V.gitMinor=$minor -X $V.gitTreeState=clean" \
    -o "$out.tmp" k8s.io/kubernetes/cmd/kube-apiserver
  mv "$out.tmp" "$out"
}

# kubectl (install tests: `kubectl apply --server-side -f crds/`, `kubectl apply -k manifests/`):
# k8s.io/kubernetes/cmd/kubectl at the API server's version, built in the kube-apiserver tools
# module. k8s.io/kubernetes (with the staging replaces) is already required there, and its go.mod
# lists every module kubectl needs, so adding the tool moves none of kube-apiserver's dependencies
# and downloads little. Keyed by K8S_VERSION like kube-apiserver.
build_kubectl() {
  local out="$TOOLS/bin/kubectl-v$K8S_VERSION"
  [ -x "$out" ] && return 0
  log "building kubectl v$K8S_VERSION (in the kube-apiserver v$K8S_VERSION tools module)"
  kube_module
  has_tool k8s.io/kubernetes/cmd/kubectl || go get -tool "k8s.io/kubernetes/cmd/kubectl@v$K8S_VERSION"
  local minor="${K8S_VERSION#1.}"; minor="${minor%%.*}"
  local V=k8s.io/component-base/version
  go build -trimpath -ldflags "-s -w -X $V.gitVersion=v$K8S_VERSION -X $V.gitMajor=1 -X $V.gitMinor=$minor -X $V.gitTreeState=clean" \
    -o "$out.tmp" k8s.io/kubernetes/cmd/kubectl
  mv "$out.tmp" "$out"
}

# argo-health (our source, test/tools/argo-health): evaluates the shipped Argo CD health check
# (manifests/argocd/health.lua) with gopher-lua, the Lua VM Argo CD embeds, set up as Argo CD does.
# Its own small tools module (gopher-lua has no dependencies); keyed by the gopher-lua version and
# rebuilt when main.go differs from the copy built last, like yaml2json.
build_argo_health() {
  local out="$TOOLS/bin/argo-health-v$GOPHER_LUA_VERSION"
  local src="$HERE/argo-health/main.go"
  local dir="$TOOLS/src/gopher-lua-v$GOPHER_LUA_VERSION"
  [ -x "$out" ] && cmp -s "$src" "$dir/main.go" && return 0
  log "building argo-health (gopher-lua v$GOPHER_LUA_VERSION)"
  rm -f "$out"
  mkdir -p "$dir"; cd "$dir"
  [ -f go.mod ] || go mod init local/argohealth >/dev/null 2>&1
  cp "$src" main.go
  grep -q "github.com/yuin/gopher-lua v$GOPHER_LUA_VERSION" go.mod || go get "github.com/yuin/gopher-lua@v$GOPHER_LUA_VERSION"
  go build -trimpath -ldflags "-s -w" -o "$out.tmp" .
  mv "$out.tmp" "$out"
}

# cosign + crane (image signature tests): one tools module, since cosign already requires
# go-containerregistry, whose cmd/crane is pinned to exactly the release cosign resolves
# (CRANE_VERSION must match it; the build checks): adding crane moves none of cosign's dependencies.
cosign_module() {
  local dir="$TOOLS/src/cosign-v$COSIGN_VERSION"; mkdir -p "$dir"; cd "$dir"
  [ -f go.mod ] || go mod init local/cosignbin >/dev/null 2>&1
  if ! grep -q "sigstore/cosign/v3 v$COSIGN_VERSION" go.mod; then
    go get -tool "github.com/sigstore/cosign/v3/cmd/cosign@v$COSIGN_VERSION"
  fi
  local ggcr
  ggcr="$(go list -m -f '{{.Version}}' github.com/google/go-containerregistry)"
  if [ "$ggcr" != "v$CRANE_VERSION" ]; then
    echo "cosign v$COSIGN_VERSION requires go-containerregistry $ggcr; set CRANE_VERSION=${ggcr#v} in versions.sh" >&2
    exit 1
  fi
  grep -q "go-containerregistry/cmd/crane" go.mod || go get -tool "github.com/google/go-containerregistry/cmd/crane@v$CRANE_VERSION"
}

build_cosign() {
  local out="$TOOLS/bin/cosign-v$COSIGN_VERSION"
  [ -x "$out" ] && return 0
  log "building cosign v$COSIGN_VERSION (slow: ~8 min cold on 2 cores)"
  cosign_module
  go build -trimpath -ldflags "-s -w -X sigs.k8s.io/release-utils/version.gitVersion=v$COSIGN_VERSION" -o "$out.tmp" github.com/sigstore/cosign/v3/cmd/cosign
  mv "$out.tmp" "$out"
}

build_crane() {
  local out="$TOOLS/bin/crane-v$CRANE_VERSION"
  [ -x "$out" ] && return 0
  log "building crane v$CRANE_VERSION (in the cosign v$COSIGN_VERSION tools module)"
  cosign_module
  go build -trimpath -ldflags "-s -w -X github.com/google/go-containerregistry/cmd/crane/cmd.Version=v$CRANE_VERSION" -o "$out.tmp" github.com/google/go-containerregistry/cmd/crane
  mv "$out.tmp" "$out"
}

targets=("$@"); [ ${#targets[@]} -eq 0 ] && targets=(all)
for t in "${targets[@]}"; do
  case "$t" in
    opa) build_opa ;;
    gator) build_gator ;;
    gatekeeper) build_gatekeeper ;;
    yaml2json) build_yaml2json ;;
    etcd) build_etcd ;;
    kube-apiserver) build_kube_apiserver ;;
    kubectl) build_kubectl ;;
    argo-health) build_argo_health ;;
    cosign) build_cosign ;;
    crane) build_crane ;;
    all) build_opa; build_gator; build_yaml2json; build_etcd; build_gatekeeper; build_kube_apiserver; build_kubectl; build_argo_health; build_cosign; build_crane ;;
    *) echo "unknown tool: $t" >&2; exit 2 ;;
  esac
done
