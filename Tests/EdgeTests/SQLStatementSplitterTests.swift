import EdgeAPI
import EdgeRuntime
import Foundation
import TestSupport
import Testing

@Suite struct SQLStatementSplitterTests {
  @Test func splitsAtTopLevelSemicolons() {
    let sql = """
      -- a comment; with a semicolon
      CREATE TABLE a (x int);
      /* block; comment /* nested; */ still comment */
      INSERT INTO a VALUES (1);

      ;
      SELECT 'it''s; fine', "odd;name" FROM a
      """
    #expect(
      SQLStatementSplitter.split(sql) == [
        "CREATE TABLE a (x int)",
        "INSERT INTO a VALUES (1)",
        "SELECT 'it''s; fine', \"odd;name\" FROM a",
      ])
  }

  @Test func keepsDollarQuotedBodiesWhole() {
    let sql = """
      CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql;
      DO $$ BEGIN PERFORM 1; END $$;
      SELECT $1::int
      """
    let statements = SQLStatementSplitter.split(sql)
    #expect(statements.count == 3)
    #expect(statements[0].hasSuffix("$body$ LANGUAGE plpgsql"))
    #expect(statements[1] == "DO $$ BEGIN PERFORM 1; END $$")
    #expect(statements[2] == "SELECT $1::int")
  }

  @Test func commentsAloneYieldNothing() {
    #expect(SQLStatementSplitter.split("-- only a comment\n/* and this */\n;;").isEmpty)
  }
}
