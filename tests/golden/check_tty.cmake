# tests/golden/check_tty.cmake: PNG and PDF are bytes; on a terminal (a pseudo-terminal made
# by util-linux `script`) authpath refuses them with a hint and exit code 2.
foreach(format png pdf)
  set(cmd "${AUTHPATH} --db ${WORK}/tty.db paths acme --format ${format}; echo rc=$?")
  execute_process(COMMAND ${SCRIPT} -qec "${cmd}" /dev/null OUTPUT_VARIABLE out)
  set(want "refusing to write [A-Z]+ to a terminal; redirect it into a file, e.g. > diagram")
  if(NOT out MATCHES "${want}.${format}" OR NOT out MATCHES "rc=2")
    message(FATAL_ERROR "${format} on a terminal was not refused:\n${out}")
  endif()
endforeach()
