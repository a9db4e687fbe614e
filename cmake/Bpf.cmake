# The BPF iterator backend's build (included only when FDSCOPE_BPF=ON).
#
#   vmlinux.h   bpftool btf dump of the running kernel's BTF, at build time
#   X.bpf.o     clang -target bpf (CO-RE) of src/bpf/X.bpf.c
#   X.skel.h    bpftool gen skeleton of X.bpf.o
#   fdscope_bpf static library: the loader and parser, linked to libbpf
#
# Everything generated lands in ${CMAKE_BINARY_DIR}/bpf.

find_program(BPF_CLANG NAMES clang clang-14 clang-15 clang-16 REQUIRED)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /usr/local/sbin REQUIRED)
pkg_check_modules(LIBBPF REQUIRED IMPORTED_TARGET libbpf)
set(FDSCOPE_VMLINUX_BTF "/sys/kernel/btf/vmlinux" CACHE FILEPATH
    "BTF of the kernel that vmlinux.h is generated from")

set(BPF_GEN_DIR ${CMAKE_BINARY_DIR}/bpf)
file(MAKE_DIRECTORY ${BPF_GEN_DIR})

if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  set(BPF_TARGET_ARCH x86)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64")
  set(BPF_TARGET_ARCH arm64)
else()
  set(BPF_TARGET_ARCH ${CMAKE_SYSTEM_PROCESSOR})
endif()

add_custom_command(
  OUTPUT ${BPF_GEN_DIR}/vmlinux.h
  COMMAND ${BPFTOOL} btf dump file ${FDSCOPE_VMLINUX_BTF} format c > ${BPF_GEN_DIR}/vmlinux.h.tmp
  COMMAND ${CMAKE_COMMAND} -E rename ${BPF_GEN_DIR}/vmlinux.h.tmp ${BPF_GEN_DIR}/vmlinux.h
  COMMENT "Generating vmlinux.h from ${FDSCOPE_VMLINUX_BTF}"
  VERBATIM)

file(GLOB BPF_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/bpf/*.bpf.c)
file(GLOB BPF_HEADERS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/bpf/*.h)
set(BPF_SKELETONS)
foreach(src ${BPF_SOURCES})
  get_filename_component(name ${src} NAME_WE)   # iter.bpf.c -> iter
  set(obj ${BPF_GEN_DIR}/${name}.bpf.o)
  set(skel ${BPF_GEN_DIR}/${name}.skel.h)
  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${BPF_CLANG} -g -O2 -Wall -target bpf -D__TARGET_ARCH_${BPF_TARGET_ARCH}
            -I${BPF_GEN_DIR} -I${CMAKE_SOURCE_DIR}/src/bpf -c ${src} -o ${obj}
    DEPENDS ${src} ${BPF_HEADERS} ${BPF_GEN_DIR}/vmlinux.h
    COMMENT "Compiling BPF object ${name}.bpf.o"
    VERBATIM)
  # The skeleton's C names: fds_<name> (fds_iter__open, ...).
  add_custom_command(
    OUTPUT ${skel}
    COMMAND ${BPFTOOL} gen skeleton ${obj} name fds_${name} > ${skel}.tmp
    COMMAND ${CMAKE_COMMAND} -E rename ${skel}.tmp ${skel}
    DEPENDS ${obj}
    COMMENT "Generating BPF skeleton ${name}.skel.h"
    VERBATIM)
  list(APPEND BPF_SKELETONS ${skel})
endforeach()

# The kernel types the programs relocate against, cut from the build
# kernel's BTF and embedded with its fingerprint (cmake/btf_embed.cpp).
add_executable(fdscope_btf_embed ${CMAKE_SOURCE_DIR}/cmake/btf_embed.cpp)
target_include_directories(fdscope_btf_embed PRIVATE ${CMAKE_SOURCE_DIR}/src)
add_custom_command(
  OUTPUT ${BPF_GEN_DIR}/iter.min.btf
  COMMAND ${BPFTOOL} gen min_core_btf ${FDSCOPE_VMLINUX_BTF} ${BPF_GEN_DIR}/iter.min.btf ${BPF_GEN_DIR}/iter.bpf.o
  DEPENDS ${BPF_GEN_DIR}/iter.bpf.o
  COMMENT "Cutting the BTF the BPF programs use (iter.min.btf)"
  VERBATIM)
add_custom_command(
  OUTPUT ${BPF_GEN_DIR}/iter.min_btf.h
  COMMAND fdscope_btf_embed ${BPF_GEN_DIR}/iter.min.btf ${FDSCOPE_VMLINUX_BTF} ${BPF_GEN_DIR}/iter.min_btf.h.tmp
  COMMAND ${CMAKE_COMMAND} -E rename ${BPF_GEN_DIR}/iter.min_btf.h.tmp ${BPF_GEN_DIR}/iter.min_btf.h
  DEPENDS fdscope_btf_embed ${BPF_GEN_DIR}/iter.min.btf
  COMMENT "Embedding iter.min.btf"
  VERBATIM)
list(APPEND BPF_SKELETONS ${BPF_GEN_DIR}/iter.min_btf.h)
add_custom_target(fdscope_bpf_skeletons DEPENDS ${BPF_SKELETONS})

file(GLOB BPF_CXX_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/bpf/*.cpp)
add_library(fdscope_bpf STATIC ${BPF_CXX_SOURCES})
add_dependencies(fdscope_bpf fdscope_bpf_skeletons)
target_include_directories(fdscope_bpf PUBLIC ${CMAKE_SOURCE_DIR}/src PRIVATE ${BPF_GEN_DIR})
target_link_libraries(fdscope_bpf PUBLIC fdscope_sys PkgConfig::LIBBPF)
