-- GET with the bearer token.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
