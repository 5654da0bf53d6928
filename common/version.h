/*
 * version.h -- the release of tfs and tfsd, the one string both print
 * and the server names in HELLO.
 */

#ifndef COMMON_VERSION_H
#define COMMON_VERSION_H

#define TFS_RELEASE	"1.0"

#endif /* COMMON_VERSION_H */
