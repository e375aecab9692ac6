# Vigil — one non-recursive Makefile.
#
#   make run     install what is missing, build, start `vigil serve` on embedded defaults
#   make test    install what is missing, build, run every test (ends "N passed, N failed")
#   make asan    the same suite built with ASan+UBSan
#   make fuzz    run every libFuzzer target for FUZZ_SECONDS each (clang)
#   make bench   the benchmarks (print figures, machine and the command to rerun)
#   make install the binary, a vigil service account and a systemd unit
#
# Sources are found by wildcard: a new src/<module>/*.c, tests/unit/test_*.c or
# tests/fuzz/fuzz_*.c needs no edit here.

CC        ?= cc
BUILD     ?= build
PREFIX    ?= /usr/local
PKGS      := yaml-0.1 sqlite3 libzstd libpcre2-8 libhs libevtx expat libcurl libmaxminddb geoip \
             libcrypto liboath libargon2 libmicrohttpd jansson ldap libevent libevent_pthreads
WERROR    ?= $(if $(CI),-Werror,)
OPT       ?= -O2
SAN       ?=
FUZZ_SECONDS ?= 30

WARN      := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla \
             -Wno-format-nonliteral
HARDEN    := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
CFLAGS_ALL = -std=c11 -D_GNU_SOURCE -g $(OPT) $(WARN) $(WERROR) $(SAN) -Isrc -MMD -MP \
             $(if $(SAN),,$(HARDEN)) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS_ALL = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lunistring -lpthread -lm
LDFLAGS_ALL = $(SAN) $(if $(SAN),,-pie -Wl,-z,relro,-z,now)

LIB_SRC   := $(filter-out src/cli/main.c,$(wildcard src/*/*.c src/*/*/*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ  := $(BUILD)/src/cli/main.o
LIB       := $(BUILD)/libvigil.a
VIGIL     := $(BUILD)/vigil

TEST_SRC  := $(wildcard tests/unit/test_*.c)
TEST_BIN  := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TESTLIB_OBJ := $(BUILD)/tests/unit/testlib.o

FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_REPLAY := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz-replay/%)
REPLAY_OBJ := $(BUILD)/tests/fuzz/replay_main.o

# The console: web/src plus the npm packages of web/package-lock.json, assembled by
# web/build.mjs into web/dist (served by `vigil serve`).
WEB_DIST  := web/dist/index.html
WEB_SRC   := $(shell find web/src -type f 2>/dev/null) web/build.mjs web/package-lock.json

BENCH_SRC := $(wildcard bench/bench_*.c)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
BENCHLIB_OBJ := $(BUILD)/bench/benchlib.o

.PHONY: all setup build run test asan fuzz bench install clean format
# Keep objects of tests and fuzz targets (they are intermediate to their binaries).
.SECONDARY:

all: build

setup:
	@scripts/setup.sh

build: $(VIGIL) $(TEST_BIN) $(FUZZ_REPLAY) $(BENCH_BIN) $(WEB_DIST)

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error

$(WEB_DIST): $(WEB_SRC) web/node_modules/.package-lock.json
	cd web && node build.mjs

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CFLAGS_EXTRA) -c $< -o $@

# libFuzzer's entry points are declared by the fuzzer runtime, not by a header.
$(BUILD)/tests/fuzz/%.o: CFLAGS_EXTRA := -Wno-missing-prototypes

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(VIGIL): $(MAIN_OBJ) $(LIB)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(TESTLIB_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/fuzz-replay/%: $(BUILD)/tests/fuzz/%.o $(REPLAY_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(BENCHLIB_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

run: setup
	@$(MAKE) --no-print-directory $(VIGIL) $(WEB_DIST)
	./$(VIGIL) serve --rules rules

test: setup
	@$(MAKE) --no-print-directory build
	@scripts/run-tests.sh $(BUILD)

asan: setup
	@$(MAKE) --no-print-directory BUILD=build-asan OPT=-O1 \
	    SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" build
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    VIGIL_SANITIZED=1 scripts/run-tests.sh build-asan

fuzz: setup
	@scripts/fuzz.sh $(FUZZ_SECONDS)

bench: setup
	@$(MAKE) --no-print-directory build
	@scripts/bench.sh $(BUILD)

install: setup
	@$(MAKE) --no-print-directory $(VIGIL)
	scripts/install.sh $(VIGIL) $(PREFIX)

format:
	clang-format -i $(wildcard src/*/*.c src/*/*.h src/*/*/*.c tests/unit/*.c tests/fuzz/*.c bench/*.c)

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
