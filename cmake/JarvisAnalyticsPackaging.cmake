# Debian packages with CPack: `cpack -G DEB` in a build configured with
# -DCMAKE_INSTALL_PREFIX=/usr makes one package per install component:
#   runtime   libjarvis-analytics0       the shared library
#   dev       libjarvis-analytics-dev    header, archive, .pc, CMake package
#   programs  jarvis-analytics           both programs, man pages, timers
#   python    python3-jarvis-analytics   the Python package
# CPack rather than a debian/ directory: the top level of this tree is fixed
# (no debian/ beside src/), the packages come from the same install rules a
# user's `cmake --install` runs, and CI builds them with no packaging
# toolchain beyond dpkg-dev. Included by CMakeLists.txt when top-level.

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME jarvis-analytics)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "OpenJarvis")
set(JA_DEB_MAINTAINER "OpenJarvis contributors <maintainers@openjarvis.invalid>" CACHE STRING
    "Maintainer field of the Debian packages")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${JA_DEB_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev programs python)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends on Debian's library packages from what the ELF files load
# (dpkg-shlibdeps), and a shlibs file for packages linking ours.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME libjarvis-analytics0)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
# An ldconfig trigger, as policy asks. CPack also writes a postinst and a
# postrm calling ldconfig (it has no switch for that): harmless, the cache
# is refreshed twice; the package's lintian overrides say so.
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA ${PROJECT_SOURCE_DIR}/cmake/debian/libjarvis-analytics0/triggers)
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION
"privacy-first analytics event store of OpenJarvis - library
The library applications link to hand usage events to a local queue:
values are redacted (personal data dropped), checked against a fixed event
catalog and written transactionally into a SQLite database under
~/.openjarvis, which the user can read. Nothing is sent from here.")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME libjarvis-analytics-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_COMPONENT_DEV_DEPENDS runtime)
set(CPACK_COMPONENT_DEV_DESCRIPTION
"privacy-first analytics event store of OpenJarvis - development files
The header, the static archive, the pkg-config files jarvis-analytics and
jarvis-analytics-static, and the CMake package JarvisAnalytics.")

set(CPACK_DEBIAN_PROGRAMS_PACKAGE_NAME jarvis-analytics)
set(CPACK_DEBIAN_PROGRAMS_PACKAGE_SECTION utils)
set(CPACK_COMPONENT_PROGRAMS_DESCRIPTION
"privacy-first analytics event store of OpenJarvis - programs
jarvis-analytics captures events from scripts and shows, purges and
configures what is stored; jarvis-analytics-upload sends the queue to
PostHog, run by the systemd user timer shipped here (not enabled).")

set(CPACK_DEBIAN_PYTHON_PACKAGE_NAME python3-jarvis-analytics)
set(CPACK_DEBIAN_PYTHON_PACKAGE_SECTION python)
set(CPACK_DEBIAN_PYTHON_PACKAGE_DEPENDS python3)
set(CPACK_DEBIAN_PYTHON_PACKAGE_CONTROL_EXTRA ${PROJECT_SOURCE_DIR}/cmake/debian/python3-jarvis-analytics/postinst
                                              ${PROJECT_SOURCE_DIR}/cmake/debian/python3-jarvis-analytics/prerm)
set(CPACK_COMPONENT_PYTHON_DEPENDS runtime)
set(CPACK_COMPONENT_PYTHON_DESCRIPTION
"privacy-first analytics event store of OpenJarvis - Python 3 binding
A ctypes binding of libjarvis-analytics0 for Python 3, standard library
only: import jarvis_analytics.")

# The -dev package needs the -dev packages of the library's dependencies
# (pkg-config and find_package look them up): the packages owning the .pc
# files of the one dependency list, asked from dpkg when it is there.
find_program(JA_DPKG_QUERY dpkg-query)
if(JA_DPKG_QUERY AND PKG_CONFIG_EXECUTABLE)
  set(dev_depends "")
  foreach(mod IN LISTS JarvisAnalytics_PKGCONFIG_DEPS)
    execute_process(COMMAND ${PKG_CONFIG_EXECUTABLE} --variable=pcfiledir ${mod}
                    OUTPUT_VARIABLE pcdir OUTPUT_STRIP_TRAILING_WHITESPACE)
    execute_process(COMMAND ${JA_DPKG_QUERY} -S ${pcdir}/${mod}.pc
                    OUTPUT_VARIABLE owner OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
    string(REGEX REPLACE ":.*" "" owner "${owner}")
    if(rc OR NOT owner)
      message(WARNING "Debian packages: no package owns ${pcdir}/${mod}.pc; "
                      "libjarvis-analytics-dev will not depend on it")
    else()
      list(APPEND dev_depends ${owner})
    endif()
  endforeach()
  list(JOIN dev_depends ", " CPACK_DEBIAN_DEV_PACKAGE_DEPENDS)
endif()

# What debhelper would add: a copyright file and a changelog per package,
# man pages compressed (cmake/deb_prebuild.cmake, run on the staged files).
set(CPACK_PRE_BUILD_SCRIPTS ${PROJECT_SOURCE_DIR}/cmake/deb_prebuild.cmake)
set(CPACK_JA_SOURCE_DIR ${PROJECT_SOURCE_DIR})

include(CPack)
