package sqlite

import "database/sql"

// Column reads the one column of the rows a query returned, as T, and
// closes them; err is the query's, returned as it is. No rows give nil.
// Call it on a query's results directly:
//
//	ids, err := sqlite.Column[int64](tx.QueryContext(ctx, q, args...))
func Column[T any](rows *sql.Rows, err error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
