#!/usr/bin/env bash
# Issue #13 item 2: statements that destroy data or hand out privileges,
# however they reach a database client (options in every spelling, SQL
# hidden behind comments or in lower case, here-documents, pipes, MongoDB
# and Redis), and schema tools that reset a database, wait for a person and
# score critical with the broker's default settings (routine preset); reads
# on a local database stay allowed.
source "$SG_SRC/tests/lib.sh"
source "$SG_SRC/tests/rules/rules_lib.sh"
source "$SG_SRC/tests/security/lib_intent.sh"

default_broker

for cmd in \
	"psql -c 'DROP TABLE users'" \
	"psql -c\"drop table users\"" \
	"psql --command='TRUNCATE sessions'" \
	"PGPASSWORD=x psql -h 127.0.0.1 -U postgres -qc 'DROP DATABASE app'" \
	"psql -c '/* tidy */ delete from users'" \
	"psql -c 'UPDATE accounts SET balance = 0 WHERE 1=1'" \
	"psql -c 'ALTER TABLE users DROP COLUMN email'" \
	"psql -c \"CREATE USER eve WITH SUPERUSER PASSWORD 'x'\"" \
	"mysql -e '/*!50000 DROP TABLE t */ SELECT 1'" \
	"mysql --execute='DELETE FROM cart' shop" \
	"sqlite3 app.db 'drop table users'" \
	$'psql app <<\'SQL\'\nbegin;\ndelete from orders;\ncommit;\nSQL' \
	"echo 'DROP TABLE users;' | psql app" \
	"mongosh --eval 'db.users.deleteMany({})'" \
	"redis-cli FlushAll" \
	"npx prisma migrate reset --force" \
	"npx prisma db push --accept-data-loss" \
	"bin/rails db:drop" \
	"python manage.py flush --noinput" \
	"alembic downgrade base"; do
	held "$cmd" "$(exec_req "$cmd")"
	is_critical "$cmd"
done
pass "destructive statements and schema resets wait for a person and score critical"

# statements sandgate cannot read, a production server, a shell escape: never allowed by the preset
for cmd in \
	"psql -f migrations/001.sql" \
	"cat seed.sql | mysql app" \
	"psql -c \"\$QUERY\"" \
	"psql -h prod-db.internal -c 'SELECT count(*) FROM users'" \
	"psql -c '\\! id'"; do
	held "$cmd" "$(exec_req "$cmd")"
	not_low "$cmd"
done
pass "opaque statements, production servers and client shell escapes are not low"

# near misses stay low: the preset allows them at once
for cmd in \
	"psql -c 'SELECT 1'" \
	"psql -c \"SELECT 'drop table x'\"" \
	"psql -c '-- DROP TABLE users
SELECT 1'" \
	"sqlite3 app.db 'SELECT * FROM users LIMIT 5'" \
	"redis-cli GET user:1"; do
	allowed "$cmd" "$(exec_req "$cmd")"
done
pass "reads on a local database, keywords in strings and comments stay allowed"
