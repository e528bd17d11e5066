/* Runs libchdb's clickhouse-local entry point with our argv, so ClickHouse can open real
   listeners in its own process (an FFI call inside Node trips ClickHouse's stack check). */
#include <dlfcn.h>
#include <stdio.h>

struct chdb_result;
typedef struct chdb_result *(*query_fn)(int, char **);
typedef const char *(*error_fn)(struct chdb_result *);

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: chdb-server <libchdb.so> [clickhouse-local args...]\n");
    return 2;
  }
  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_GLOBAL);
  if (!lib) {
    fprintf(stderr, "chdb-server: cannot load %s: %s\n", argv[1], dlerror());
    return 3;
  }
  query_fn query = (query_fn)dlsym(lib, "chdb_query_cmdline");
  error_fn error = (error_fn)dlsym(lib, "chdb_result_error");
  if (!query) {
    fprintf(stderr, "chdb-server: no query entry point in %s\n", argv[1]);
    return 4;
  }
  argv[1] = "clickhouse";
  struct chdb_result *res = query(argc - 1, argv + 1);
  const char *err = (res && error) ? error(res) : NULL;
  if (err && *err) {
    fprintf(stderr, "%s\n", err);
    return 1;
  }
  return 0;
}
