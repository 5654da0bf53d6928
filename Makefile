# tfs -- one non-recursive Makefile.
#
#   make            bin/tfsd and bin/tfs
#   make check      unit and integration tests (ends with "N passed, N failed")
#   make asan       the same tests built with AddressSanitizer and UBSan
#   make valgrind   the integration tests with tfsd and tfs under valgrind
#   make fuzz       libFuzzer targets, FUZZ_SECONDS each (default 60)
#   make bench      benchmarks against the machine's own ceiling
#   make run        tfsd in the foreground on 127.0.0.1:10069 serving ./srv,
#                   which anyone on this machine may read and write
#   make install    the programs, manuals, systemd unit, configuration
#                   example, logrotate and bash completion files, under
#                   DESTDIR and the directories below (GNU names; PREFIX is
#                   prefix); make uninstall removes them
#   make deb        Debian packages tfsd and tfs, built in build/deb

PKG_CONFIG	?= pkg-config
CC		?= cc
CFLAGS		?= -O2 -g
PREFIX		?= /usr/local
prefix		?= $(PREFIX)
exec_prefix	?= $(prefix)
BINDIR		?= $(exec_prefix)/bin
bindir		?= $(BINDIR)
sbindir		?= $(exec_prefix)/sbin
datarootdir	?= $(prefix)/share
mandir		?= $(datarootdir)/man
docdir		?= $(datarootdir)/doc/tfs
# /etc for a system prefix, $(prefix)/etc for /usr/local and the like
sysconfdir	?= $(if $(filter /usr,$(prefix)),/etc,$(prefix)/etc)
# where systemd puts what a service keeps, whatever the prefix
localstatedir	?= /var
runstatedir	?= /run
logdir		?= $(localstatedir)/log
systemdunitdir	?= $(prefix)/lib/systemd/system
tmpfilesdir	?= $(prefix)/lib/tmpfiles.d
bashcompdir	?= $(datarootdir)/bash-completion/completions
logrotatedir	?= $(sysconfdir)/logrotate.d
FUZZ_SECONDS	?= 60
BUILD		?= build
BIN		?= bin

WARN	= -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	  -Wpointer-arith -Wformat=2 -Wno-format-nonliteral
WERROR	?= -Werror
HARDEN	= -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE

PKGS		= libbsd-overlay libcrypto libgsasl
DEPS_CFLAGS	= $(shell $(PKG_CONFIG) --cflags $(PKGS) readline 2>/dev/null)
DEPS_LIBS	= $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
# the workers' seccomp filter: tfsd and what links its code
SECCOMP_LIBS	= $(shell $(PKG_CONFIG) --libs libseccomp 2>/dev/null || \
		    echo -lseccomp)
RL_LIBS		= $(shell $(PKG_CONFIG) --libs readline 2>/dev/null || echo -lreadline)
# sd_notify(3): tfsd only, so the client does not carry libsystemd
SD_LIBS		= $(shell $(PKG_CONFIG) --libs libsystemd 2>/dev/null)
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
	deps-build gen uninstall deb

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
	    $(SD_LIBS) $(SECCOMP_LIBS)

$(BIN)/tfs: $(CLIENT_OBJ) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLIENT_OBJ) $(LIBCOMMON) $(RL_LIBS) \
	    $(DEPS_LIBS)

$(UNIT_RUNNER): $(UNIT_OBJ) $(SERVER_LIB_OBJ) $(CLIENT_LIB_OBJ) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(UNIT_OBJ) $(SERVER_LIB_OBJ) \
	    $(CLIENT_LIB_OBJ) $(LIBCOMMON) $(CUNIT_LIBS) $(RL_LIBS) $(DEPS_LIBS) \
	    $(SD_LIBS) $(SECCOMP_LIBS)

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
	    $(SD_LIBS) $(SECCOMP_LIBS)

fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZ_BIN)
	@scripts/run-fuzz $(FUZZ_SECONDS) $(FUZZ_BIN)

bench: deps
	@$(MAKE) --no-print-directory all $(BENCH_BIN)
	@scripts/bench

# A demo folder that anyone on this machine may read and write without
# signing in: loopback only.
RUN_ROOT	?= srv
RUN_PORT	?= 10069

run: deps-build
	@$(MAKE) --no-print-directory all
	@mkdir -p $(RUN_ROOT)
	@[ -e $(RUN_ROOT)/README ] || printf '%s\n' \
	    'A folder served by make run.' \
	    'Try: bin/tfs 127.0.0.1 ls, get README, put FILE.' \
	    >$(RUN_ROOT)/README
	$(BIN)/tfsd -f -l 127.0.0.1 -p $(RUN_PORT) -r $(RUN_ROOT) \
	    --anonymous rw

# ---- installation -----------------------------------------------------

VERSION		= $(shell sed -n 's/^\#define TFS_RELEASE[^"]*"\(.*\)"/\1/p' \
		    common/version.h)
# the manuals' date: the release's (dpkg sets SOURCE_DATE_EPOCH), else
# the last change of their sources, so that a build is reproducible
MANDATE		= $(shell date -u -d "@$${SOURCE_DATE_EPOCH:-$$(stat -c %Y \
		    man/tfsd.8.in)}" '+%B %-d, %Y')
GEN		= $(BUILD)/gen
GEN_FILES	= tfsd.8 tfs.1 tfsd.conf.5 tfsd.service tfsd.tmpfiles \
		  tfsd.logrotate
SUBST		= sed -e 's|@sbindir@|$(sbindir)|g' \
		  -e 's|@bindir@|$(bindir)|g' \
		  -e 's|@sysconfdir@|$(sysconfdir)|g' \
		  -e 's|@localstatedir@|$(localstatedir)|g' \
		  -e 's|@runstatedir@|$(runstatedir)|g' \
		  -e 's|@logdir@|$(logdir)|g' \
		  -e 's|@version@|$(VERSION)|g' \
		  -e 's|@date@|$(MANDATE)|g'

# The files that name installation paths, made again at every run: the
# paths are those of this command line.
gen:
	@mkdir -p $(GEN)
	@for f in $(GEN_FILES); do \
		src=man/$$f.in; [ -f $$src ] || src=dist/$$f.in; \
		$(SUBST) $$src >$(GEN)/$$f.tmp && mv $(GEN)/$$f.tmp $(GEN)/$$f \
		    || exit 1; \
	done

# The configuration is installed only where there is none, never over an
# administrator's; uninstall removes it only if it is still the example.
install: $(PROGS) gen
	install -d $(DESTDIR)$(bindir) $(DESTDIR)$(sbindir) \
	    $(DESTDIR)$(mandir)/man1 $(DESTDIR)$(mandir)/man5 \
	    $(DESTDIR)$(mandir)/man8 $(DESTDIR)$(systemdunitdir) \
	    $(DESTDIR)$(tmpfilesdir) $(DESTDIR)$(bashcompdir) \
	    $(DESTDIR)$(logrotatedir) $(DESTDIR)$(docdir)/examples \
	    $(DESTDIR)$(sysconfdir)/tfsd
	install -m 755 $(BIN)/tfs $(DESTDIR)$(bindir)/tfs
	install -m 755 $(BIN)/tfsd $(DESTDIR)$(sbindir)/tfsd
	install -m 644 $(GEN)/tfs.1 $(DESTDIR)$(mandir)/man1/tfs.1
	install -m 644 $(GEN)/tfsd.conf.5 $(DESTDIR)$(mandir)/man5/tfsd.conf.5
	install -m 644 $(GEN)/tfsd.8 $(DESTDIR)$(mandir)/man8/tfsd.8
	install -m 644 $(GEN)/tfsd.service \
	    $(DESTDIR)$(systemdunitdir)/tfsd.service
	install -m 644 $(GEN)/tfsd.tmpfiles $(DESTDIR)$(tmpfilesdir)/tfsd.conf
	install -m 644 $(GEN)/tfsd.logrotate $(DESTDIR)$(logrotatedir)/tfsd
	install -m 644 dist/tfs.bash-completion $(DESTDIR)$(bashcompdir)/tfs
	install -m 644 dist/tfs.bash-completion $(DESTDIR)$(bashcompdir)/tfsd
	install -m 644 dist/tfsd.conf $(DESTDIR)$(docdir)/examples/tfsd.conf
	@if [ -e $(DESTDIR)$(sysconfdir)/tfsd/tfsd.conf ]; then \
		echo "kept $(DESTDIR)$(sysconfdir)/tfsd/tfsd.conf"; \
	else \
		echo "install -m 644 dist/tfsd.conf" \
		    "$(DESTDIR)$(sysconfdir)/tfsd/tfsd.conf"; \
		install -m 644 dist/tfsd.conf \
		    $(DESTDIR)$(sysconfdir)/tfsd/tfsd.conf; \
	fi

uninstall:
	rm -f $(DESTDIR)$(bindir)/tfs $(DESTDIR)$(sbindir)/tfsd \
	    $(DESTDIR)$(mandir)/man1/tfs.1 \
	    $(DESTDIR)$(mandir)/man5/tfsd.conf.5 \
	    $(DESTDIR)$(mandir)/man8/tfsd.8 \
	    $(DESTDIR)$(systemdunitdir)/tfsd.service \
	    $(DESTDIR)$(tmpfilesdir)/tfsd.conf \
	    $(DESTDIR)$(logrotatedir)/tfsd \
	    $(DESTDIR)$(bashcompdir)/tfs $(DESTDIR)$(bashcompdir)/tfsd
	@conf=$(DESTDIR)$(sysconfdir)/tfsd/tfsd.conf; \
	if [ -e $$conf ] && ! cmp -s $$conf dist/tfsd.conf; then \
		echo "kept $$conf: it was changed"; \
	else \
		echo "rm -f $$conf"; rm -f $$conf; \
	fi
	rm -f $(DESTDIR)$(docdir)/examples/tfsd.conf
	-rmdir $(DESTDIR)$(docdir)/examples $(DESTDIR)$(docdir) \
	    $(DESTDIR)$(sysconfdir)/tfsd 2>/dev/null

# dpkg-buildpackage writes beside the source folder: build a copy of the
# tree in build/deb, so that the packages and their by-products land
# there and the tree stays clean.
DEB_DIR		= build/deb
DEB_TOOLS	= dpkg-buildpackage dh fakeroot

deb:
	@for t in $(DEB_TOOLS); do \
		command -v $$t >/dev/null 2>&1 || { \
			echo "tfs: make deb needs $$t: install dpkg-dev," \
			    "debhelper and fakeroot (scripts/install-deps" \
			    "--test)" >&2; \
			exit 1; \
		}; \
	done
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_DIR)/tfs-$(VERSION)
	tar -cf - --exclude=./build --exclude=./bin --exclude=./srv \
	    --exclude=./.git --exclude=./bench-results . | \
	    tar -xf - -C $(DEB_DIR)/tfs-$(VERSION)
	@# the package takes its flags from dpkg-buildflags, not from this
	@# make's command line (which make also puts in the environment)
	cd $(DEB_DIR)/tfs-$(VERSION) && env -u MAKEFLAGS -u MFLAGS \
	    -u MAKELEVEL -u SAN -u BUILD -u BIN -u WERROR \
	    dpkg-buildpackage -b -us -uc
	@ls $(DEB_DIR)/*.deb

clean:
	rm -rf build bin

# (not the copy of the tree that make deb builds in)
-include $(shell find $(BUILD) -path '$(DEB_DIR)' -prune -o -type f \
    -name '*.d' -print 2>/dev/null)
