# The BPF programs' build (included only when the BPF backend is built).
#
#   vmlinux.h        bpftool btf dump of the build kernel's BTF, once for all programs
#   fdscope_bpf      static library: src/bpf (libbpf glue any program needs:
#                    load hints, libbpf's log, the embedded BTF subset) and
#                    src/bpf/iter (the iterator backend's loader and parser)
#
# Each BPF program is one call of fdscope_bpf_program(), which adds its
# object, skeleton and embedded BTF subset to the library that loads it.
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

# The kernel types a program relocates against, cut from the build kernel's
# BTF and embedded with that BTF's fingerprint (cmake/btf_embed.cpp).
add_executable(fdscope_btf_embed ${CMAKE_SOURCE_DIR}/cmake/btf_embed.cpp)
target_include_directories(fdscope_btf_embed PRIVATE ${CMAKE_SOURCE_DIR}/src)

# fdscope_bpf_program(NAME name SOURCE file.bpf.c TARGET library [HEADERS h ...])
#
# Compiles SOURCE (clang -target bpf, CO-RE; HEADERS are what it includes
# beside vmlinux.h) into ${BPF_GEN_DIR}/NAME.bpf.o and generates, for
# TARGET's C++ code:
#   NAME.skel.h      bpftool gen skeleton; C names fds_NAME (fds_NAME__open, ...)
#   NAME.min_btf.h   the BTF subset NAME.bpf.o needs, as
#                    fdscope::bpf::embedded::NAME::kMinBtf with the kernel
#                    BTF's size and fingerprint
# Both are on TARGET's include path as SYSTEM headers: the skeleton is not
# ours to make clean under -Wsign-conversion.
function(fdscope_bpf_program)
  cmake_parse_arguments(P "" "NAME;SOURCE;TARGET" "HEADERS" ${ARGN})
  if(NOT P_NAME OR NOT P_SOURCE OR NOT P_TARGET)
    message(FATAL_ERROR "fdscope_bpf_program needs NAME, SOURCE and TARGET")
  endif()
  set(obj ${BPF_GEN_DIR}/${P_NAME}.bpf.o)
  set(skel ${BPF_GEN_DIR}/${P_NAME}.skel.h)
  set(min_btf ${BPF_GEN_DIR}/${P_NAME}.min.btf)
  set(min_btf_h ${BPF_GEN_DIR}/${P_NAME}.min_btf.h)
  get_filename_component(src_dir ${P_SOURCE} DIRECTORY)
  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${BPF_CLANG} -g -O2 -Wall -target bpf -D__TARGET_ARCH_${BPF_TARGET_ARCH}
            -I${BPF_GEN_DIR} -I${src_dir} -c ${P_SOURCE} -o ${obj}
    DEPENDS ${P_SOURCE} ${P_HEADERS} ${BPF_GEN_DIR}/vmlinux.h
    COMMENT "Compiling BPF object ${P_NAME}.bpf.o"
    VERBATIM)
  add_custom_command(
    OUTPUT ${skel}
    COMMAND ${BPFTOOL} gen skeleton ${obj} name fds_${P_NAME} > ${skel}.tmp
    COMMAND ${CMAKE_COMMAND} -E rename ${skel}.tmp ${skel}
    DEPENDS ${obj}
    COMMENT "Generating BPF skeleton ${P_NAME}.skel.h"
    VERBATIM)
  add_custom_command(
    OUTPUT ${min_btf}
    COMMAND ${BPFTOOL} gen min_core_btf ${FDSCOPE_VMLINUX_BTF} ${min_btf} ${obj}
    DEPENDS ${obj}
    COMMENT "Cutting the BTF ${P_NAME}.bpf.o uses (${P_NAME}.min.btf)"
    VERBATIM)
  add_custom_command(
    OUTPUT ${min_btf_h}
    COMMAND fdscope_btf_embed ${min_btf} ${FDSCOPE_VMLINUX_BTF} ${P_NAME} ${min_btf_h}.tmp
    COMMAND ${CMAKE_COMMAND} -E rename ${min_btf_h}.tmp ${min_btf_h}
    DEPENDS fdscope_btf_embed ${min_btf}
    COMMENT "Embedding ${P_NAME}.min.btf"
    VERBATIM)
  add_custom_target(fdscope_bpf_${P_NAME}_generated DEPENDS ${skel} ${min_btf_h})
  add_dependencies(${P_TARGET} fdscope_bpf_${P_NAME}_generated)
  target_include_directories(${P_TARGET} SYSTEM PRIVATE ${BPF_GEN_DIR})
endfunction()

# src/bpf and src/bpf/iter: the layer fdscope_bpf (cmake/Layers.cmake).
fdscope_layer(bpf LIBS PkgConfig::LIBBPF)

fdscope_bpf_program(NAME iter SOURCE ${CMAKE_SOURCE_DIR}/src/bpf/iter/iter.bpf.c TARGET fdscope_bpf
                    HEADERS ${CMAKE_SOURCE_DIR}/src/bpf/iter/records.h)
