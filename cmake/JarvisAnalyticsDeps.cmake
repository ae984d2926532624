# The library's dependencies, listed once. The build links them, the
# pkg-config files name them (Requires.private / Libs.private) and the
# installed CMake package looks them up again from this same file, so the
# three cannot disagree. Included by CMakeLists.txt and, installed beside
# it, by JarvisAnalyticsConfig.cmake.

# pkg-config module names of the libraries libjarvis_analytics links (no
# libcurl or zlib: those are jarvis-analytics-upload's alone).
set(JarvisAnalytics_PKGCONFIG_DEPS sqlite3 libpcre2-8 libsodium libcjson libutf8proc)
# Plain libraries besides those (threads come from find_package(Threads)).
set(JarvisAnalytics_SYSTEM_LIBS m)

# jarvis_analytics_find_deps(<out-var>): look up every dependency and set
# <out-var> to what to link (imported targets, Threads::Threads, the plain
# libraries). Never fails on its own: when something is missing <out-var>
# is empty and <out-var>_MISSING names what was not found, so the build can
# stop with a message and the package config can report "not found".
macro(jarvis_analytics_find_deps out)
  set(${out} "")
  set(${out}_MISSING "")
  find_package(PkgConfig QUIET)
  find_package(Threads QUIET)
  if(NOT PKG_CONFIG_FOUND)
    list(APPEND ${out}_MISSING pkg-config)
  endif()
  if(NOT Threads_FOUND)
    list(APPEND ${out}_MISSING threads)
  endif()
  foreach(_ja_mod IN LISTS JarvisAnalytics_PKGCONFIG_DEPS)
    string(MAKE_C_IDENTIFIER "JarvisAnalytics_dep_${_ja_mod}" _ja_prefix)
    if(PKG_CONFIG_FOUND)
      pkg_check_modules(${_ja_prefix} QUIET IMPORTED_TARGET ${_ja_mod})
    endif()
    if(TARGET PkgConfig::${_ja_prefix})
      list(APPEND ${out} PkgConfig::${_ja_prefix})
    else()
      list(APPEND ${out}_MISSING ${_ja_mod})
    endif()
  endforeach()
  if(${out}_MISSING)
    set(${out} "")
  else()
    list(APPEND ${out} Threads::Threads ${JarvisAnalytics_SYSTEM_LIBS})
  endif()
  unset(_ja_mod)
  unset(_ja_prefix)
endmacro()
