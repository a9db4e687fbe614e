# What `make install` (cmake --install) and the Debian package put on a
# machine, under CMAKE_INSTALL_PREFIX (and DESTDIR):
#   bin/fdscope
#   lib/fdscope/libfdscope-preload.so   (${CMAKE_INSTALL_LIBDIR}: lib, or lib/<multiarch> under /usr)
#   share/man/man1/fdscope.1.gz
#   share/bash-completion/completions/fdscope
include(GNUInstallDirs)

# Every installed program and library. A new one (the preload library) is
# one more name in this list: executables go to bin/, shared and module
# libraries to lib/.
set(FDSCOPE_INSTALLED_TARGETS fdscope)
install(TARGETS ${FDSCOPE_INSTALLED_TARGETS}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
# The preload library goes to a folder of its own: it is loaded with
# LD_PRELOAD by path, never linked against, so not beside the system's
# libraries (where ldconfig would index it).
install(TARGETS fdscope_preload LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/fdscope)

# Man pages are installed compressed, as Debian policy wants (-n: no name or
# time stamp in the archive, so that builds are reproducible).
set(FDSCOPE_MAN_GZ ${CMAKE_BINARY_DIR}/fdscope.1.gz)
add_custom_command(OUTPUT ${FDSCOPE_MAN_GZ}
  COMMAND gzip -9 -n -c ${CMAKE_SOURCE_DIR}/docs/fdscope.1 > ${FDSCOPE_MAN_GZ}
  DEPENDS ${CMAKE_SOURCE_DIR}/docs/fdscope.1
  COMMENT "Compressing the man page")
add_custom_target(fdscope_man ALL DEPENDS ${FDSCOPE_MAN_GZ})
install(FILES ${FDSCOPE_MAN_GZ} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# bash-completion loads completions/NAME on demand when NAME is first completed.
install(FILES ${CMAKE_SOURCE_DIR}/src/cli/completion.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME fdscope)
