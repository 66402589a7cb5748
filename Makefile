# texsynth: neural texture synthesis in Go, natively and in WebAssembly (GoMLX's graph is the
# reference the hand-written kernels are tested against).

GO       ?= go
GOROOT   := $(shell $(GO) env GOROOT)
WASMEXEC := $(GOROOT)/lib/wasm
SHARED   ?= ../shared
PORT     ?= 8080
# Packages whose code also runs in the browser: tested under js/wasm as well.
WASM_PKGS := ./weights/ ./core/...

.PHONY: all deps test test-native test-wasm test-gpu test-fuzz vet bench bench-page demo weights vgg19-weights clean
.PHONY: experiments quality
.PHONY: wasm site dist serve test-browser

all: weights

## test: everything CI runs: vet, native tests, the core's tests under js/wasm in Node, a few
## seconds of each fuzz target, the page.
test: deps vet test-native test-wasm test-fuzz test-browser

## deps: what the tests need beyond Go, installed where it is missing (tools/deps.sh).
deps:
	bash tools/deps.sh

vet:
	$(GO) vet ./...

# Then the products once more on the portable Go kernels (TEXSYNTH_SIMD=off: no AVX2).
test-native:
	$(GO) test -count=1 ./...
	TEXSYNTH_SIMD=off $(GO) test -count=1 ./core/gemm ./core/vgg/... ./core/loss

# Each fuzz target (go test fuzzes one target per run) for a number of executions, package:target:
# count, about three seconds each on the 2-core development machine at load 4. A count, not a
# duration: with -fuzztime=3s, Go 1.26's fuzz coordinator can report its own deadline as a failure
# ("context deadline exceeded" and no crasher, go.dev/issue/75804, fixed in Go 1.27), which a
# loaded machine hits more often; a count sets no deadline. FUZZTIME=1m fuzzes each target for a
# duration instead. A short minimisation keeps the fuzzer fuzzing: by default it spends up to a
# minute on each new input it finds.
FUZZTIME ?=
FUZZ_TARGETS := ./weights/convert:FuzzPickle:25000 ./weights/convert:FuzzPyTorch:20000 \
	./weights/convert:FuzzTFJS:5000 ./weights/convert:FuzzSafetensors:20000 \
	./weights/convert:FuzzONNX:25000 ./weights:FuzzDecode:50000 ./core/picture:FuzzDecode:5000
test-fuzz:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; rest=$${t#*:}; name=$${rest%%:*}; budget="$(FUZZTIME)"; \
		[ -n "$$budget" ] || budget="$${rest#*:}x"; \
		echo "fuzz $$name ($$pkg) for $$budget"; \
		$(GO) test -run '^$$' -fuzz="^$$name$$" -fuzztime="$$budget" -fuzzminimizetime=100x $$pkg || exit 1; \
	done

# The core under GOOS=js GOARCH=wasm, run by Node through Go's wasm_exec wrapper, with
# wasm/memory.cjs preloaded so that the SIMD kernels (core/gemm) run as in the browser; then
# once more without them, so the portable kernels are tested in wasm too, the kernels once
# more without relaxed SIMD's fused multiply-add (browsers before Chromium 114), and the products,
# the network and the sorted losses' matching once more on the page's worker pool (TEXSYNTH_POOL=2:
# wasm/pool.js, two threads).
NODE_SIMD := --require $(CURDIR)/wasm/memory.cjs
test-wasm:
	PATH="$(WASMEXEC):$$PATH" NODE_OPTIONS="$(NODE_SIMD)" GOOS=js GOARCH=wasm $(GO) test -count=1 $(WASM_PKGS)
	PATH="$(WASMEXEC):$$PATH" TEXSYNTH_SIMD=off GOOS=js GOARCH=wasm $(GO) test -count=1 ./core/gemm ./core/vgg/... ./core/loss
	PATH="$(WASMEXEC):$$PATH" NODE_OPTIONS="$(NODE_SIMD)" TEXSYNTH_SIMD=nofma GOOS=js GOARCH=wasm $(GO) test -count=1 ./core/gemm
	PATH="$(WASMEXEC):$$PATH" NODE_OPTIONS="$(NODE_SIMD)" TEXSYNTH_POOL=2 GOOS=js GOARCH=wasm $(GO) test -count=1 ./core/gemm ./core/vgg ./core/loss
	$(MAKE) test-gpu

# The WebGPU engine (core/gpu) under js/wasm in Node, with navigator.gpu from the npm package
# webgpu (Dawn) on the CPU Vulkan driver Debian's chromium ships (SwiftShader): wasm/gpu-node.mjs
# is preloaded after wasm/memory.cjs. TEXSYNTH_GPU=required makes a missing adapter a failure.
VK_SWIFTSHADER ?= /usr/lib/chromium/vk_swiftshader_icd.json
NODE_GPU := $(NODE_SIMD) --import $(CURDIR)/wasm/gpu-node.mjs
test-gpu:
	@test -d node_modules/webgpu || npm ci --no-audit --no-fund
	PATH="$(WASMEXEC):$$PATH" NODE_OPTIONS="$(NODE_GPU)" VK_ICD_FILENAMES="$(VK_SWIFTSHADER)" TEXSYNTH_GPU=required \
		GOOS=js GOARCH=wasm $(GO) test -count=1 -timeout 20m ./core/gpu

## weights: the built-in default written as a file (never committed).
weights: weights/vgg16-random.q8

weights/vgg16-random.q8:
	$(GO) run ./tools/weights -random -seed 0 -out $@

## vgg19-weights: the pretrained ImageNet VGG-19, conv1_1 … conv3_4 at int8, from the shared Keras
## weights in TF.js layout: the file committed as weights/pretrained/vgg19-conv3_4.q8 (licence and attribution
## in weights/pretrained/vgg19-conv3_4.md). The tests check that the committed file is what this writes.
VGG19_MODEL ?= $(SHARED)/weights/vgg19-keras-to-conv3_4/model.json
vgg19-weights:
	$(GO) run ./tools/weights convert -in $(VGG19_MODEL) -out weights/pretrained/vgg19-conv3_4.q8 -upto conv3_4

## bench: one evaluation (VGG-16 to relu4_3, sw loss) at 64/128/256 px on the fast engine (what
## synthesis runs), natively at 1 and 2 threads (THREADS and SCALING lines: network only and whole
## evaluation) and in wasm under Node, then a default 128 px texture on each, then the
## benchmark page in headless Chromium (bench-page: WebGPU and wasm SIMD) (docs/performance.md).
## BENCH_FLAGS adds flags to both runs (go run ./tools/bench -h), e.g. BENCH_FLAGS="-cpu", or
## BENCH_FLAGS="-reference" to time the GoMLX reference too (about an hour more).
BENCH_FLAGS ?=
bench:
	mkdir -p build
	$(GO) build -o build/bench ./tools/bench
	GOOS=js GOARCH=wasm $(GO) build -o build/bench.wasm ./tools/bench
	GOMAXPROCS=2 ./build/bench -threads 1,2 -texture 128 $(BENCH_FLAGS) | tee build/bench-native.txt
	node $(NODE_SIMD) "$(WASMEXEC)/wasm_exec_node.js" build/bench.wasm -texture 128 $(BENCH_FLAGS) | tee build/bench-wasm.txt
	@echo; echo "| default texture | size | levels | iterations | evaluations | wall time |"; echo "|---|---|---|---|---|---|"
	@cat build/bench-native.txt build/bench-wasm.txt | awk '/^TEXTURE/ { printf "| %s (%s) | %s | %s | %s | %s | %s s |\n", $$2, $$4, $$3, $$14, $$5, $$7, $$9 }'
	$(MAKE) bench-page

## bench-page: site/bench.html (the benchmark page a person opens) in headless Chromium with WebGPU
## on: per-evaluation times of the WebGPU and wasm SIMD engines; on a machine without a GPU the
## adapter is SwiftShader, labelled CPU emulation. BENCH_PAGE_SIZES (the page's own default is
## 64,128,256,512; CPU emulation takes minutes per evaluation beyond 128 px) and BENCH_PAGE_EVALS.
## Then the wasm engine alone on one thread and on every core (its worker pool; the page is served
## cross-origin isolated) at BENCH_POOL_SIZES, with the wasm memory each size takes. Then a whole
## texture of BENCH_TEXTURE_SIZE px with the page's defaults (tools/bench/texture.mjs: the deployable
## page, a picture in its file input, Start), on one thread and on the pool: wall time and peak
## wasm memory; BENCH_TEXTURE_SIZE= (empty) leaves it out.
BENCH_PAGE_SIZES ?= 64,128
BENCH_PAGE_EVALS ?= 3
BENCH_POOL_SIZES ?= 128,512
BENCH_TEXTURE_SIZE ?= 512
bench-page: site dist
	@test -d node_modules/playwright-core || npm ci --no-audit --no-fund
	node tools/bench/page.mjs -sizes $(BENCH_PAGE_SIZES) -evals $(BENCH_PAGE_EVALS) | tee build/bench-page.txt
	node tools/bench/page.mjs -sizes $(BENCH_POOL_SIZES) -evals $(BENCH_PAGE_EVALS) -engines wasm | tee build/bench-pool.txt
	$(if $(BENCH_TEXTURE_SIZE),node tools/bench/texture.mjs -size $(BENCH_TEXTURE_SIZE) | tee build/bench-texture.txt)

## demo: a texture from one of the shared samples with the default settings.
demo:
	mkdir -p build
	$(GO) run ./tools/texsynth -in $(SHARED)/textures/ulyanov_red-peppers256.jpg -out build/demo.png -frames build/demo-frames -every 10
	@echo "wrote build/demo.png (frames in build/demo-frames)"

## experiments: the seed's questions Q1-Q6 and the extensions (Q7) as grids of syntheses on the
## shared samples: one contact sheet per question, report.md/report.html/results.json, in
## $(EXP_OUT) (docs/experiments.md shows them). Size and iterations keep it under 20 minutes on
## two cores; see docs/experiments.md for the choice.
EXP_SIZE  ?= 48
EXP_ITERS ?= 40
EXP_JOBS  ?= 2
EXP_OUT   ?= docs/images
experiments:
	$(GO) run ./tools/experiments -in $(SHARED)/textures/ulyanov_red-peppers256.jpg -textures $(SHARED)/textures \
		-size $(EXP_SIZE) -iters $(EXP_ITERS) -j $(EXP_JOBS) -out $(EXP_OUT)

## quality: the old default (untrained VGG-16, the settings before the pretrained one) against the new one on the shared
## textures (brick, pebbles, peppers, water, heitz, embark): a contact sheet per size
## (docs/images/quality-<size>px.png: exemplar | old | new | new tiled 2x2), docs/images/quality.md
## and quality.json with the core/metrics statistics (docs/quality.md). QUALITY_SETTINGS (a JSON
## file of synth.Settings fields) and QUALITY_WEIGHTS (a .q8 file or a built-in network's name)
## make the new column (default: synth.Defaults() on the pretrained VGG-19);
## QUALITY_SIZES=128,256 adds 256 px (about four times as long).
QUALITY_SETTINGS ?=
QUALITY_WEIGHTS  ?=
QUALITY_SIZES    ?= 128
QUALITY_JOBS     ?= 2
QUALITY_OUT      ?= docs/images
quality:
	$(GO) run ./tools/quality -textures $(SHARED)/textures -sizes $(QUALITY_SIZES) -j $(QUALITY_JOBS) -out $(QUALITY_OUT) \
		$(if $(QUALITY_SETTINGS),-new-settings $(QUALITY_SETTINGS)) $(if $(QUALITY_WEIGHTS),-new-weights $(QUALITY_WEIGHTS))

clean:
	rm -rf build weights/vgg16-random.q8

# ---- The page (docs/page.md) ----
SITE := build/site

## wasm: the core for the browser, with Go's wasm_exec.js beside it.
wasm:
	mkdir -p $(SITE)
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags="-s -w" -o $(SITE)/texsynth.wasm ./wasm
	cp $(WASMEXEC)/wasm_exec.js $(SITE)/wasm_exec.js

## site: the static page in build/site (html, js, css, the worker, texsynth.wasm, wasm_exec.js,
## the pretrained VGG-19 with its licence notice), plain names, no service worker: the development
## build.
site: wasm weights
	mkdir -p $(SITE)/weights
	cp site/*.html site/*.js site/*.css wasm/worker.js wasm/gpu.js wasm/pool.js wasm/pool-worker.js wasm/shared-memory.js $(SITE)/
	cp weights/vgg16-random.q8 $(SITE)/weights/vgg16-random.q8
	cp weights/pretrained/vgg19-conv3_4.q8 $(SITE)/weights/vgg19-conv3_4.q8
	cp weights/pretrained/vgg19-conv3_4.LICENSE-conversion $(SITE)/weights/vgg19-conv3_4.LICENSE.txt

## dist: the deployable folder build/dist from build/site: content-hashed names for the large
## files, the service worker's version and file list, precompressed .br/.gz copies, _headers;
## prints the sizes and the wasm's download budget (docs/deploy.md).
DIST := build/dist
dist: site
	$(GO) run ./tools/dist -src $(SITE) -out $(DIST)

## serve: build the deployable page and serve it on http://localhost:$(PORT), as a host would
## (precompressed, cached, CSP); `go run ./tools/serve -dir build/site` serves the dev build.
serve: dist
	$(GO) run ./tools/serve -dir $(DIST) -addr :$(PORT)

## test-browser: the worker's message API in Node, then the page in headless Chromium (build/site
## and build/dist).
test-browser: site dist
	GOOS=js GOARCH=wasm $(GO) vet ./wasm
	@test -d node_modules/playwright-core || npm ci --no-audit --no-fund
	node --test --test-reporter=spec wasm/test/*.test.mjs site/test/*.test.mjs
