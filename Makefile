# Bulletin's everyday targets. Each is one command also written in the README.
GO ?= go
# What "bulletin version" prints: the commit, with -dirty for uncommitted
# changes (a tag when there is one), or dev outside a git checkout.
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: run test vet lint build bench ci

run: ## run Bulletin with embedded defaults (SQLite file, embedded Redis, outbox)
	$(GO) run -ldflags "$(LDFLAGS)" ./cmd/bulletin serve

test: ## the test suite, with the race detector
	$(GO) test -race ./...

vet:
	$(GO) vet ./...

lint:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

build:
	CGO_ENABLED=1 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/bulletin ./cmd/bulletin

bench: ## throughput benchmarks (figures go to docs/benchmarks.md by hand)
	$(GO) test -run '^$$' -bench . -benchtime 1x ./...

ci:
	bash .ci/run
