# bridge: live tshark capture -> Kafka -> who talks to whom.
# `make help` lists the targets.

GO        ?= go
BIN       ?= bin/bridge
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS   := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
TESTFLAGS ?= -race -timeout 20m
WORKER    ?= testdata/connect/connect-standalone.properties
CONNECTOR ?= testdata/connect/connect-file-source.properties

.PHONY: help build install demo demo-capture screenshot test test-short vet fmt kafka-up kafka-down kafka-clean kafka-status connect-standalone clean bench drills

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "} {printf "  %-20s %s\n", $$1, $$2}'

build: ## build bin/bridge
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/bridge

install: ## go install ./cmd/bridge
	$(GO) install -ldflags '$(LDFLAGS)' ./cmd/bridge

demo: build ## run the whole pipeline on the embedded broker: no Kafka needed
	$(BIN) demo

demo-capture: ## rebuild the demo's office network: testdata/demo/office.pcap (netgen) and its tshark rendering
	$(GO) run ./demo/netgen -o testdata/demo/office.pcap
	tshark -r testdata/demo/office.pcap >testdata/demo/office.log
	tshark --version | head -n 1 >testdata/demo/office.tshark-version

screenshot: ## rebuild docs/view.png: bridge demo's live view in headless chromium after a minute of its capture (the README's picture)
	BRIDGE_UI_SCREENSHOT=$(CURDIR)/docs/view.png BRIDGE_UI_DEMO_SPEED=1 $(GO) test -count=1 -timeout 5m -run 'TestDemoViewScreenshot$$' ./cmd/bridge

test: vet ## go vet + go test -race ./... (against BRIDGE_TEST_BROKERS when set, else in-process kfake)
	$(GO) test $(TESTFLAGS) ./...

test-short: ## quick unit tests, no race detector
	$(GO) test -short ./...

vet: ## go vet ./...
	$(GO) vet ./...

fmt: ## gofmt the tree
	gofmt -w $$(git ls-files '*.go')

kafka-up: ## start real Apache Kafka (KRaft) on 127.0.0.1:9092; KAFKA_NODES=3 for 9092-9094
	scripts/kafka.sh up

kafka-down: ## stop the real Kafka started by kafka-up
	scripts/kafka.sh down

kafka-clean: ## stop real Kafka and wipe its data (keeps the downloaded jars)
	scripts/kafka.sh clean

kafka-status: ## say whether real Kafka is running
	scripts/kafka.sh status

connect-standalone: ## run real Kafka Connect standalone: make connect-standalone WORKER=… CONNECTOR=…
	scripts/kafka.sh connect-standalone $(WORKER) $(CONNECTOR)

clean: ## remove build output
	rm -rf bin

bench: build ## benchmarks against real Kafka and the peers (make kafka-up first); see BENCHMARKS.md
	bench/run.sh

drills: build ## fault drills against real Kafka (own clusters on other ports); see RELIABILITY.md
	scripts/drills.sh
