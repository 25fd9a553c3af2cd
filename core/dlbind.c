/*
 * dlbind - functions of shared libraries into a table (dlbind.h).
 */
#include <dlfcn.h>
#include <string.h>

#include "dlbind.h"

#define MAX_LIBS 4

int dl_bind(const char *const *sonames, const struct dl_sym *syms, size_t n,
    void *api, size_t size)
{
	void *libs[MAX_LIBS], *f = NULL;
	size_t nlibs = 0, i, k;

	for (; sonames[nlibs] != NULL; nlibs++)
		if (nlibs == MAX_LIBS || (libs[nlibs] = dlopen(sonames[nlibs],
		    RTLD_LAZY | RTLD_LOCAL)) == NULL)
			goto fail;
	for (i = 0; i < n; i++) {
		for (k = 0, f = NULL; k < nlibs && f == NULL; k++)
			f = dlsym(libs[k], syms[i].name);
		if (f == NULL || syms[i].off + sizeof(f) > size)
			goto fail;
		/* a data pointer into a function pointer: memcpy, which ISO C
		 * allows, for what POSIX dlsym(3) guarantees */
		memcpy((char *)api + syms[i].off, &f, sizeof(f));
	}
	return 0;
fail:
	memset(api, 0, size);
	while (nlibs-- > 0)
		dlclose(libs[nlibs]);
	return -1;
}
