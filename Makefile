# tfs -- one non-recursive Makefile.
#
#   make            bin/tfsd and bin/tfs
#   make check      unit and integration tests (ends with "N passed, N failed")
#   make asan       the same tests built with AddressSanitizer and UBSan
#   make valgrind   the integration tests with tfsd and tfs under valgrind
#   make fuzz       libFuzzer targets, FUZZ_SECONDS each (default 60)
#   make bench      benchmarks against the machine's own ceiling
#   make run        tfsd in the foreground on 127.0.0.1:10069 serving ./srv
#   make install    PREFIX=/usr/local DESTDIR=

PKG_CONFIG	?= pkg-config
CC		?= cc
CFLAGS		?= -O2 -g
PREFIX		?= /usr/local
BINDIR		?= $(PREFIX)/bin
FUZZ_SECONDS	?= 60
BUILD		?= build
BIN		?= bin

WARN	= -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	  -Wpointer-arith -Wformat=2 -Wno-format-nonliteral
WERROR	?= -Werror
HARDEN	= -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE

PKGS		= libbsd-overlay libcrypto
DEPS_CFLAGS	= $(shell $(PKG_CONFIG) --cflags $(PKGS) readline 2>/dev/null)
DEPS_LIBS	= $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
# the workers' seccomp filter: tfsd and what links its code
SECCOMP_LIBS	= $(shell $(PKG_CONFIG) --libs libseccomp 2>/dev/null || \
		    echo -lseccomp)
RL_LIBS		= $(shell $(PKG_CONFIG) --libs readline 2>/dev/null || echo -lreadline)
CUNIT_CFLAGS	= $(shell $(PKG_CONFIG) --cflags cunit 2>/dev/null)
CUNIT_LIBS	= $(shell $(PKG_CONFIG) --libs cunit 2>/dev/null || echo -lcunit)

ALL_CFLAGS	= -std=gnu11 -D_GNU_SOURCE -DLIBBSD_OPENBSD_VIS -Icommon \
		  $(WARN) $(WERROR) $(HARDEN) $(DEPS_CFLAGS) $(SAN) $(CFLAGS) \
		  -MMD -MP
ALL_LDFLAGS	= -pie -Wl,-z,relro,-z,now $(SAN) $(LDFLAGS)

COMMON_SRC	= $(wildcard common/*.c)
SERVER_SRC	= $(wildcard server/*.c)
CLIENT_SRC	= $(wildcard client/*.c)
UNIT_SRC	= $(wildcard tests/unit/*.c)
BENCH_SRC	= $(wildcard tests/bench/*.c)

COMMON_OBJ	= $(COMMON_SRC:%.c=$(BUILD)/%.o)
SERVER_OBJ	= $(SERVER_SRC:%.c=$(BUILD)/%.o)
CLIENT_OBJ	= $(CLIENT_SRC:%.c=$(BUILD)/%.o)
UNIT_OBJ	= $(UNIT_SRC:%.c=$(BUILD)/%.o)
# Everything but main() is linked into the unit tests too.
SERVER_LIB_OBJ	= $(filter-out $(BUILD)/server/main.o,$(SERVER_OBJ))
CLIENT_LIB_OBJ	= $(filter-out $(BUILD)/client/main.o,$(CLIENT_OBJ))
BENCH_BIN	= $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)

LIBCOMMON	= $(BUILD)/libtfscommon.a
PROGS		= $(BIN)/tfsd $(BIN)/tfs
UNIT_RUNNER	= $(BUILD)/tests/unit-tests

.PHONY: all check unit integ asan valgrind fuzz bench run install clean deps \
	deps-build

all: $(PROGS)

# Each pkg-config module the build needs and the Debian package that
# ships it: a machine without one is told what to install, once, before
# the compiler says something less clear.
DEP_MODULES	= libbsd-overlay:libbsd-dev libcrypto:libssl-dev \
		  readline:libreadline-dev libgsasl:libgsasl-dev \
		  libseccomp:libseccomp-dev libsystemd:libsystemd-dev
DEPS_OK		= $(BUILD)/.deps-ok

$(DEPS_OK):
	@missing=""; \
	command -v $(PKG_CONFIG) >/dev/null 2>&1 || missing=" pkg-config"; \
	for m in $(DEP_MODULES); do \
		$(PKG_CONFIG) --exists "$${m%%:*}" 2>/dev/null || \
		    missing="$$missing $${m#*:}"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "tfs: missing Debian packages:$$missing" >&2; \
		echo "tfs: install them with: sudo scripts/install-deps" >&2; \
		exit 1; \
	fi
	@mkdir -p $(@D) && touch $@

$(BUILD)/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/%.o: tests/unit/%.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CUNIT_CFLAGS) -Iserver -Iclient -c -o $@ $<

$(LIBCOMMON): $(COMMON_OBJ)
	@rm -f $@
	$(AR) rcs $@ $(COMMON_OBJ)

$(BIN)/tfsd: $(SERVER_OBJ) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(SERVER_OBJ) $(LIBCOMMON) $(DEPS_LIBS) \
	    $(SECCOMP_LIBS)

$(BIN)/tfs: $(CLIENT_OBJ) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLIENT_OBJ) $(LIBCOMMON) $(RL_LIBS) \
	    $(DEPS_LIBS)

$(UNIT_RUNNER): $(UNIT_OBJ) $(SERVER_LIB_OBJ) $(CLIENT_LIB_OBJ) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(UNIT_OBJ) $(SERVER_LIB_OBJ) \
	    $(CLIENT_LIB_OBJ) $(LIBCOMMON) $(CUNIT_LIBS) $(RL_LIBS) \
	    $(DEPS_LIBS) $(SECCOMP_LIBS)

$(BUILD)/bench/%: tests/bench/%.c $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBCOMMON) $(DEPS_LIBS) \
	    -lpthread

# Installs what is missing first (the test tools too, but for make run),
# so a fresh machine needs nothing but this command.
deps:
	@scripts/install-deps --test

deps-build:
	@scripts/install-deps

check: deps
	@$(MAKE) --no-print-directory all $(UNIT_RUNNER)
	@TFS_BIN=$(BIN) scripts/run-tests $(UNIT_RUNNER)

unit: $(UNIT_RUNNER)
	$(UNIT_RUNNER)

integ: $(PROGS)
	@TFS_BIN=$(BIN) scripts/run-tests --integ-only

asan: deps
	$(MAKE) --no-print-directory BUILD=build/asan BIN=build/asan/bin \
	    check CFLAGS="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"

valgrind: deps
	@$(MAKE) --no-print-directory all
	@TFS_VALGRIND=1 TFS_BIN=$(BIN) scripts/run-tests --integ-only

# libFuzzer targets: built with clang beside the normal build.
FUZZ_SRC	= $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN	= $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_CC		?= clang
# UBSan stops at its first report, so run-fuzz sees it as a crash.
FUZZ_CFLAGS	= -std=gnu11 -D_GNU_SOURCE -DLIBBSD_OPENBSD_VIS -Icommon \
		  -Iserver $(WARN) $(WERROR) $(DEPS_CFLAGS) -g -O1 \
		  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_LIB_SRC	= $(COMMON_SRC) $(filter-out server/main.c,$(SERVER_SRC))
# a target may include another (fuzz_worker_walk.c includes fuzz_worker.c)
FUZZ_DEPS	= $(wildcard common/*.h server/*.h tests/fuzz/*.c)

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB_SRC) $(FUZZ_DEPS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIB_SRC) $(DEPS_LIBS) \
	    $(SECCOMP_LIBS)

fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZ_BIN)
	@scripts/run-fuzz $(FUZZ_SECONDS) $(FUZZ_BIN)

bench: deps
	@$(MAKE) --no-print-directory all $(BENCH_BIN)
	@scripts/bench

run: deps-build
	@$(MAKE) --no-print-directory all
	@mkdir -p srv
	$(BIN)/tfsd -f -l 127.0.0.1 -p 10069 -r srv

install: $(PROGS)
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(PROGS) $(DESTDIR)$(BINDIR)

clean:
	rm -rf build bin

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
