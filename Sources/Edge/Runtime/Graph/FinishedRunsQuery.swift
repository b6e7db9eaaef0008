import Contracts
import PostgresNIO

/// A prune over finished runs that resumes where it stopped: the runs finished after the
/// keyset mark `mark` (`maintenance_marks`) and more than `settledSeconds` ago, oldest first,
/// at most `batch` (index `decision_sets_finished`, entered at the mark: the mark is read as
/// scalar subqueries, since joined to the CTE it was only a filter over every finished run),
/// as the CTE `threads`; `work` (more CTEs
/// over `threads`) runs on them, the mark moves to the last of them, and `select` answers.
enum FinishedRunsQuery {
  static func make(mark: String, settledSeconds: Int, batch: Int, work: String, select: String) -> PostgresQuery {
    """
    WITH mark AS (
      SELECT COALESCE(max(mark), '-infinity'::timestamptz) AS at,
             COALESCE(max(mark_id::text), '00000000-0000-0000-0000-000000000000')::uuid AS id
      FROM maintenance_marks WHERE name = \(mark)),
    threads AS (
      SELECT d.id, d.updated_at FROM decision_sets d
      WHERE d.status = ANY(\(Array(Mlops_V1_RunStatus.finishedAPINames)))
        AND (d.updated_at, d.id) > ((SELECT at FROM mark), (SELECT id FROM mark))
        AND d.updated_at < now() - make_interval(secs => \(settledSeconds))
      ORDER BY d.updated_at, d.id LIMIT \(max(batch, 1))),
    \(unescaped: work),
    last AS (SELECT updated_at, id FROM threads ORDER BY updated_at DESC, id DESC LIMIT 1),
    marked AS (
      INSERT INTO maintenance_marks (name, mark, mark_id) SELECT \(mark), updated_at, id FROM last
      ON CONFLICT (name) DO UPDATE SET mark = EXCLUDED.mark, mark_id = EXCLUDED.mark_id)
    \(unescaped: select)
    """
  }
}
