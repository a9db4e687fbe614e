# The Debian package (`make deb`: cpack -G DEB in the build directory):
# fdscope_VERSION_ARCH.deb with what cmake/Install.cmake installs, under /usr.
# Its runtime dependencies are not listed by hand: dpkg-shlibdeps (dpkg-dev)
# reads them from the libraries the binary links (libbpf, libmnl, ncurses,
# fmt, libstdc++, ...), so a backend built in or left out changes them too.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME fdscope)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "fdscope maintainers <maintainers@users.noreply.h-seed-b8fc7a22.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "every file descriptor and kernel file handle on this machine")
# The long description; CPack puts the summary above it and indents it.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"fdscope lists every fd, cwd/root/exe, mapped file and SysV shm attach
(lsof/lsfd class, with open file description ids), accounts for every
kernel file handle counted in /proc/sys/fs/file-nr, audits descriptors
that crossed an exec, and watches fd counts for leaks (watch, top, plot).
It reads the kernel through BPF iterators when it may, else through /proc.")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS bash-completion)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# The build is RelWithDebInfo; the package ships the program without its
# debug sections (2.4 MB instead of 63).
set(CPACK_STRIP_FILES ON)
include(CPack)
