-- The wallet speaks Serbian in Latin script, whose tag is `sr-Latn` (what `Intl` needs for Latin
-- month names); a choice kept as `sr` before is the same language.
UPDATE customers SET preferred_language = 'sr-Latn' WHERE preferred_language = 'sr';
