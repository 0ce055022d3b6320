# berth: `make demo` and `make test` work on a fresh Debian 12 machine as root.
SHELL := /bin/bash
APT_PACKAGES := runc crun conmon tini busybox-static nftables iproute2 aardvark-dns nginx-light attr jq procps psmisc util-linux bsdutils coreutils tar gzip curl skopeo podman docker-registry apache2-utils gcc libc6-dev chromium docker-compose uidmap catatonit passt zsh fish
NODE_DEPS_STAMP := node_modules/.berth-stamp
IMAGES := images/out/busybox.tar images/out/nginx.tar
# Small programs of berth's own, for system calls that neither Node nor a host program offers.
HELPERS := build/helpers/berth-idmap-mount

.PHONY: all deps build images berth-image install demo demo-down lint format format-check test test-unit test-integration bench soak clean

all: build

# System packages: installed only when one is missing, so a warm machine pays nothing.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(NODE_DEPS_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

build: deps $(NODE_DEPS_STAMP) $(HELPERS)
	npx tsc -p tsconfig.json
	node build.mjs
	@$(MAKE) --no-print-directory images

images: $(IMAGES)

build/helpers/berth-idmap-mount: helpers/idmap-mount.c
	@mkdir -p $(@D)
	gcc -O2 -Wall -Wextra -Werror -o $@ $<

# Built by berth itself from images/*/Containerfile (see images/build.sh), so it needs the bundle.
IMAGE_SOURCES := images/build.sh images/rootfs.sh images/.containerignore $(wildcard images/busybox/* images/nginx/*)
$(IMAGES) &: $(IMAGE_SOURCES)
	bash images/build.sh

# localhost/berth, berth and its programs in an image, to run berth inside a berth container
# (docs/nested.md). Not built by `make build`: test/e2e/nested.test.ts builds it when it runs
# (about 15 s, then cached in images/out/berth.tar until one of its files changes).
berth-image: build
	bash images/berth/build.sh

install: build
	ln -sf $(CURDIR)/bin/berth /usr/local/bin/berth
	install -D -m 0644 contrib/systemd/berth-boot.service /etc/systemd/system/berth-boot.service
	if [ -d /run/systemd/system ]; then systemctl daemon-reload && systemctl enable berth-boot.service; fi

demo: build
	bash examples/webfarm/demo.sh

demo-down:
	bash examples/webfarm/demo.sh down

# eslint.config.js: type-checked rules, the layer rule, no import cycles, programs only from sys/;
# and the one formatter's check (dprint.jsonc: `make format` formats). tsc itself runs in build.
lint: $(NODE_DEPS_STAMP)
	npx eslint src test
	npx dprint check

format: $(NODE_DEPS_STAMP)
	npx dprint fmt

format-check: $(NODE_DEPS_STAMP)
	npx dprint check

test: build
	@$(MAKE) --no-print-directory lint
	bash test/run.sh

test-unit: build
	node --test --test-concurrency=2 $$(find build/src -name '*.test.js' ! -name '*.integration.test.js' | sort) build/test/lint.test.js build/test/house-rules.test.js

bench: build
	bash bench/run.sh

# The 1,000-cycle soak of test/e2e/load.test.ts (the default test run has 100 cycles), then the
# leak check against a snapshot taken first.
soak: build
	BERTH_LEAK_BASELINE=$$(mktemp) && node build/test/leak.js snapshot > $$BERTH_LEAK_BASELINE && \
	  SOAK_CYCLES=1000 BERTH_LEAK_BASELINE=$$BERTH_LEAK_BASELINE node --test --test-concurrency=1 --test-timeout=3600000 \
	  build/test/e2e/load.test.js build/test/zz-leak-check.test.js; rc=$$?; rm -f $$BERTH_LEAK_BASELINE; exit $$rc

clean:
	rm -rf build images/out
