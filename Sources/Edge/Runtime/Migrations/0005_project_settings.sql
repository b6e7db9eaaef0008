-- Whether a bundle some validator could not run on (a tool missing, no provider mirror)
-- may still be published for the project. Off: an incomplete bundle is never published.
ALTER TABLE projects ADD COLUMN allow_incomplete_bundles boolean NOT NULL DEFAULT false;
