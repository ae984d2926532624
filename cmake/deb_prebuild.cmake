# Run by CPack (CPACK_PRE_BUILD_SCRIPTS) on the staged files of every Debian
# package before it is built: what debhelper would do for a debian/
# directory — /usr/share/doc/<package>/copyright and changelog.gz, man
# pages compressed with gzip -9n (Debian policy 12.1, 12.5, 12.7), and
# cmake/debian/<package>/lintian-overrides as dh_lintian installs it.
set(root ${CPACK_TEMPORARY_INSTALL_DIRECTORY})
string(TIMESTAMP date "%a, %d %b %Y %H:%M:%S +0000" UTC) # SOURCE_DATE_EPOCH if set

function(gzip_n file)
  execute_process(COMMAND gzip -9nf ${file} RESULT_VARIABLE rc)
  if(rc)
    message(FATAL_ERROR "gzip -9n ${file} failed")
  endif()
endfunction()

# debian/copyright in the machine-readable format, the license by the name
# of its copy in /usr/share/common-licenses (Debian policy 12.5).
file(STRINGS ${CPACK_JA_SOURCE_DIR}/LICENSE holder REGEX "^Copyright ")
string(REGEX REPLACE "^Copyright +" "" holder "${holder}")
set(copyright "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: jarvis-analytics

Files: *
Copyright: ${holder}
License: Apache-2.0
 Licensed under the Apache License, Version 2.0 (the \"License\"); you may
 not use this software except in compliance with the License.
 .
 On Debian systems, the complete text of the Apache License, Version 2.0
 can be found in /usr/share/common-licenses/Apache-2.0.
")

foreach(component IN LISTS CPACK_COMPONENTS_ALL)
  string(TOUPPER ${component} up)
  set(package ${CPACK_DEBIAN_${up}_PACKAGE_NAME})
  set(stage ${root}/${component}${CPACK_PACKAGING_INSTALL_PREFIX})
  if(NOT IS_DIRECTORY ${root}/${component})
    message(FATAL_ERROR "deb_prebuild: no staged files for ${component} in ${root}")
  endif()
  set(doc ${stage}/share/doc/${package})
  file(MAKE_DIRECTORY ${doc})
  file(WRITE ${doc}/copyright "${copyright}")
  file(WRITE ${doc}/changelog
"${package} (${CPACK_PACKAGE_VERSION}) unstable; urgency=medium

  * Built with CPack from the jarvis-analytics source tree, version
    ${CPACK_PACKAGE_VERSION}.

 -- ${CPACK_DEBIAN_PACKAGE_MAINTAINER}  ${date}
")
  gzip_n(${doc}/changelog)
  set(overrides ${CPACK_JA_SOURCE_DIR}/cmake/debian/${package}/lintian-overrides)
  if(EXISTS ${overrides})
    file(MAKE_DIRECTORY ${stage}/share/lintian/overrides)
    configure_file(${overrides} ${stage}/share/lintian/overrides/${package} COPYONLY)
  endif()
  file(GLOB pages ${stage}/share/man/man*/*.[1-9])
  foreach(page IN LISTS pages)
    gzip_n(${page})
  endforeach()
  # Installed files are 0644 and directories 0755 whatever the umask.
  execute_process(COMMAND chmod -R u=rwX,go=rX ${root}/${component})
endforeach()
