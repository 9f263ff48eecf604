# Read by ctest after the discovered tests (TEST_INCLUDE_FILES): the tests
# that hold the server to a time bound (an API write searchable within a
# second) run alone. Beside another heavy test on a two-core machine the
# bound would measure the neighbour.
set_tests_properties(
  "httpd_tests:writes with a write token: put, replace, delete, searchable within a second"
  "httpd_tests:API writes and a defter import at once lose nothing, and every 2xx write survives SIGKILL"
  "httpd_tests:expensive searches run beside health checks and articles, each within its budget"
  PROPERTIES RUN_SERIAL TRUE)
