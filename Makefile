# Bulletin's everyday targets. Each is one command also written in the README.
GO ?= go

.PHONY: run test vet lint build bench ci

run: ## run Bulletin with embedded defaults (SQLite file, embedded Redis, outbox)
	$(GO) run ./cmd/bulletin serve

test: ## the test suite, with the race detector
	$(GO) test -race ./...

vet:
	$(GO) vet ./...

lint:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

build:
	CGO_ENABLED=1 $(GO) build -trimpath -o bin/bulletin ./cmd/bulletin

bench: ## throughput benchmarks (figures go to docs/benchmarks.md by hand)
	$(GO) test -run '^$$' -bench . -benchtime 1x ./...

ci:
	bash .ci/run
