// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: listenind's configuration parser on arbitrary file contents. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "listenind/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	char err[CONFIG_ERR_LEN];
	FILE *null;

	config_defaults(&cfg);
	if (config_parse(&cfg, "fuzz", (const char *)data, size, err,
			 sizeof(err)) == 0) {
		null = fopen("/dev/null", "w");
		if (null) {
			config_dump(&cfg, null);
			fclose(null);
		}
		if (cfg.hep.n_udp > CONFIG_MAX_LISTEN ||
		    cfg.capture.n_ifaces > CONFIG_MAX_IFACES ||
		    cfg.capture.n_ports > CONFIG_MAX_PORTS)
			__builtin_trap();
	} else if (strncmp(err, "fuzz", 4) != 0) {
		/* every error names the file */
		__builtin_trap();
	}
	return 0;
}
