/*===- fake_no_entry.c - a shared object without ddl_get_model -----------===*/
int ddl_not_the_entry(void);
int ddl_not_the_entry(void) { return 42; }
