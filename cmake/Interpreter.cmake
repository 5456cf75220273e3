# heygen-lua: the interpreter, with the Lua layer, heygen.core and cjson built in.
#
# Links Debian's static Lua and lua-cjson, and exports the Lua API (-Wl,-E) so
# third-party C modules (socket.core, lfs, ...) load into it as into lua5.4.
# libcurl is not linked: the core is compiled with HEYGEN_CURL_DLOPEN and loads
# it on the first transfer (src/curl_api.h), so start-up does not pay for the
# thirty libraries Debian's libcurl brings; libcrypto (webhook signatures) is
# loaded the same way by the first digest (HEYGEN_CRYPTO_DLOPEN, src/crypto.c).

set(HEYGEN_CURL_SONAME "libcurl.so.4" CACHE STRING "the libcurl heygen-lua loads on first use")
add_library(heygen_core_dl_obj OBJECT ${HEYGEN_CORE_SOURCES})
set(HEYGEN_CRYPTO_SONAME "libcrypto.so.3" CACHE STRING "the libcrypto heygen-lua loads on first use")
target_include_directories(heygen_core_dl_obj PUBLIC ${LUA_INCLUDE_DIRS} ${CURL_INCLUDE_DIRS}
  ${OPENSSL_INCLUDE_DIR} src)
target_compile_definitions(heygen_core_dl_obj PRIVATE HEYGEN_VERSION="${PROJECT_VERSION}"
  HEYGEN_CURL_DLOPEN HEYGEN_CURL_SONAME="${HEYGEN_CURL_SONAME}"
  HEYGEN_CRYPTO_DLOPEN HEYGEN_CRYPTO_SONAME="${HEYGEN_CRYPTO_SONAME}")

include(${CMAKE_CURRENT_LIST_DIR}/EmbedLua.cmake)

find_library(HEYGEN_LIBLUA_STATIC NAMES liblua${HEYGEN_LUA}.a HINTS ${LUA_LIBRARY_DIRS})
find_library(HEYGEN_LIBCJSON_STATIC NAMES liblua${HEYGEN_LUA}-cjson.a HINTS ${LUA_LIBRARY_DIRS})
foreach(lib HEYGEN_LIBLUA_STATIC HEYGEN_LIBCJSON_STATIC)
  if(NOT ${lib})
    message(FATAL_ERROR "heygen-lua needs liblua${HEYGEN_LUA}.a and liblua${HEYGEN_LUA}-cjson.a "
      "(Debian: apt-get install liblua${HEYGEN_LUA}-dev lua-cjson-dev), "
      "or configure with -DHEYGEN_INTERPRETER=OFF")
  endif()
endforeach()

# The Lua sources and media, as bytes, plus the preload table that serves them
# (for C hosts: examples/embed).
set(HEYGEN_EMBED_C ${PROJECT_BINARY_DIR}/gen/heygen_embed.c)
heygen_embed_lua(${HEYGEN_EMBED_C})
add_library(heygen_preload_obj OBJECT src/preload.c ${HEYGEN_EMBED_C})
target_include_directories(heygen_preload_obj PUBLIC ${LUA_INCLUDE_DIRS} src)

# The same for heygen-lua, with the Lua files compiled to bytecode at build time by
# a tool linked with the interpreter's own static liblua (so they always match):
# `require` then loads instead of parsing (src/embed_bytecode.c).
add_executable(heygen_embed_bytecode src/embed_bytecode.c)
target_include_directories(heygen_embed_bytecode PRIVATE ${LUA_INCLUDE_DIRS})
target_link_libraries(heygen_embed_bytecode PRIVATE ${HEYGEN_LIBLUA_STATIC} m ${CMAKE_DL_LIBS})
set(HEYGEN_EMBED_BYTECODE_C ${PROJECT_BINARY_DIR}/gen/heygen_embed_bytecode.c)
add_custom_command(
  OUTPUT "${HEYGEN_EMBED_BYTECODE_C}"
  COMMAND heygen_embed_bytecode "${HEYGEN_EMBED_MANIFEST}" "${PROJECT_SOURCE_DIR}/lua"
          "${HEYGEN_EMBED_BYTECODE_C}"
  DEPENDS heygen_embed_bytecode ${HEYGEN_EMBED_FILES} "${HEYGEN_EMBED_MANIFEST}"
  COMMENT "Compiling lua/heygen to bytecode into ${HEYGEN_EMBED_BYTECODE_C}"
  VERBATIM)
add_library(heygen_preload_bytecode_obj OBJECT src/preload.c ${HEYGEN_EMBED_BYTECODE_C})
target_include_directories(heygen_preload_bytecode_obj PUBLIC ${LUA_INCLUDE_DIRS} src)

add_executable(heygen-lua src/heygen_lua.c
  $<TARGET_OBJECTS:heygen_core_dl_obj> $<TARGET_OBJECTS:heygen_preload_bytecode_obj>)
target_include_directories(heygen-lua PRIVATE ${LUA_INCLUDE_DIRS} src)
target_compile_definitions(heygen-lua PRIVATE HEYGEN_VERSION="${PROJECT_VERSION}")
set_target_properties(heygen-lua PROPERTIES ENABLE_EXPORTS ON)
# The whole Lua library, so every lua_*/luaL_* a C module may call is there.
target_link_libraries(heygen-lua PRIVATE
  ${HEYGEN_LIBCJSON_STATIC}
  -Wl,--whole-archive ${HEYGEN_LIBLUA_STATIC} -Wl,--no-whole-archive
  m ${CMAKE_DL_LIBS} Threads::Threads)

install(TARGETS heygen-lua RUNTIME DESTINATION bin)
