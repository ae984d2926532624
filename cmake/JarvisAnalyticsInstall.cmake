# What `cmake --install` puts under the prefix for the library: the shared
# library (component runtime); the header, the static archive, the
# pkg-config files and the CMake package (component dev). Included by
# CMakeLists.txt when JA_INSTALL is on.
include(CMakePackageConfigHelpers)

set(JA_CMAKE_PACKAGE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/JarvisAnalytics)

install(TARGETS jarvis_analytics EXPORT JarvisAnalyticsTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT dev)
install(TARGETS jarvis_analytics_static EXPORT JarvisAnalyticsTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
install(FILES include/jarvis_analytics.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)

# find_package(JarvisAnalytics): the targets as JarvisAnalytics::<name>, a
# config that looks the dependencies up again from the list the library was
# built with, and a version file. The ABI is the soname's: every 0.x is
# compatible with the one before, hence SameMajorVersion.
install(EXPORT JarvisAnalyticsTargets NAMESPACE JarvisAnalytics::
        DESTINATION ${JA_CMAKE_PACKAGE_DIR} COMPONENT dev)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/JarvisAnalyticsConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/JarvisAnalyticsConfig.cmake
  INSTALL_DESTINATION ${JA_CMAKE_PACKAGE_DIR} NO_SET_AND_CHECK_MACRO)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/JarvisAnalyticsConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/JarvisAnalyticsConfig.cmake
              ${PROJECT_BINARY_DIR}/cmake/JarvisAnalyticsConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/JarvisAnalyticsDeps.cmake
        DESTINATION ${JA_CMAKE_PACKAGE_DIR} COMPONENT dev)

# pkg-config: jarvis-analytics (the shared library) and
# jarvis-analytics-static (the archive by its path, so the linker cannot
# take the shared library instead). Both name the dependencies in
# Requires.private / Libs.private, from JarvisAnalyticsDeps.cmake, so
# `pkg-config --static --libs` is complete. Written at install time: the
# prefix in the file is the one given to `cmake --install --prefix`.
list(JOIN JarvisAnalytics_PKGCONFIG_DEPS ", " JA_PC_REQUIRES_PRIVATE)
set(JA_PC_LIBS_PRIVATE ${CMAKE_THREAD_LIBS_INIT})
foreach(lib IN LISTS JarvisAnalytics_SYSTEM_LIBS)
  list(APPEND JA_PC_LIBS_PRIVATE -l${lib})
endforeach()
list(JOIN JA_PC_LIBS_PRIVATE " " JA_PC_LIBS_PRIVATE)
set(JA_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
set(JA_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
set(JA_PC_PREFIX "@JA_PC_PREFIX@")  # the second pass, at install time
foreach(kind shared static)
  if(kind STREQUAL shared)
    set(JA_PC_NAME jarvis-analytics)
    set(JA_PC_DESCRIPTION "Offline-first, privacy-first analytics event store of OpenJarvis")
    set(JA_PC_LIBS "-L\${libdir} -ljarvis_analytics")
  else()
    set(JA_PC_NAME jarvis-analytics-static)
    set(JA_PC_DESCRIPTION "jarvis-analytics as a static archive (link with pkg-config --static)")
    set(JA_PC_LIBS "\${libdir}/libjarvis_analytics.a")
  endif()
  configure_file(${PROJECT_SOURCE_DIR}/cmake/jarvis-analytics.pc.in ${PROJECT_BINARY_DIR}/cmake/${JA_PC_NAME}.pc.in @ONLY)
endforeach()
install(CODE "
  set(JA_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  foreach(name jarvis-analytics jarvis-analytics-static)
    set(pc \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig/\${name}.pc\")
    message(STATUS \"Installing: \${pc}\")
    configure_file(\"${PROJECT_BINARY_DIR}/cmake/\${name}.pc.in\" \"\${pc}\" @ONLY)
    list(APPEND CMAKE_INSTALL_MANIFEST_FILES \"\${pc}\")  # so the manifest uninstalls it
  endforeach()
" COMPONENT dev)

# The Python package (tools/python/jarvis_analytics, component python) goes
# where the prefix's Python looks for packages — decided at install time for
# the prefix given then, by cmake/python_sitedir.py, unless
# JA_INSTALL_PYTHONDIR names the directory. Its _paths.py is written there
# with the prefix's library directory, so the installed copy loads the
# library it was installed with, no environment variable needed.
find_program(JA_PYTHON3 python3 DOC "The Python that decides where the Python package is installed")
set(JA_INSTALL_PYTHONDIR "" CACHE STRING
    "Directory (relative to the prefix) for the Python package; empty: ask python3 at install time")
file(GLOB JA_PYTHON_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tools/python/jarvis_analytics/*.py)
list(FILTER JA_PYTHON_SOURCES EXCLUDE REGEX "/_paths\\.py$")
install(CODE "
  set(pydir \"${JA_INSTALL_PYTHONDIR}\")
  if(NOT pydir AND EXISTS \"${JA_PYTHON3}\")
    execute_process(COMMAND \"${JA_PYTHON3}\" \"${PROJECT_SOURCE_DIR}/cmake/python_sitedir.py\"
                            \"\${CMAKE_INSTALL_PREFIX}\"
                    OUTPUT_VARIABLE pydir OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
    if(rc)
      message(FATAL_ERROR \"python_sitedir.py failed (set JA_INSTALL_PYTHONDIR)\")
    endif()
  endif()
  if(NOT pydir)
    set(pydir lib/python3/dist-packages)
  endif()
  set(pkg \"\${CMAKE_INSTALL_PREFIX}/\${pydir}/jarvis_analytics\")
  file(INSTALL DESTINATION \"\${pkg}\" TYPE FILE FILES ${JA_PYTHON_SOURCES})
  set(paths \"\$ENV{DESTDIR}\${pkg}/_paths.py\")
  message(STATUS \"Installing: \${paths}\")
  file(WRITE \"\${paths}\" \"\\\"\\\"\\\"Written by cmake --install: where the library this package was installed with is.\\\"\\\"\\\"

LIBDIR = \\\"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}\\\"
SONAME = \\\"$<TARGET_SONAME_FILE_NAME:jarvis_analytics>\\\"
\")
  list(APPEND CMAKE_INSTALL_MANIFEST_FILES \"\${paths}\")
" COMPONENT python)
