/*
 * version - the release of relayctl, for --version, JSON reports and the
 * EHLO-free identification of the tool.  Owns nothing.
 */
#ifndef RELAY_VERSION_H
#define RELAY_VERSION_H

#ifndef RELAYCTL_VERSION
#define RELAYCTL_VERSION "0.1.0"
#endif

#endif
