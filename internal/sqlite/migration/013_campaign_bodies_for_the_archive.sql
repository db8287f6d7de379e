-- A campaign's body_html and body_text are what the archive shows: its
-- personal fields filled in for no one in particular. Sending renders the
-- Markdown again with markers drawn for each render, so a stored body
-- holds no marker. Bodies stored before then held the old fixed markers;
-- fill them in as the archive did. Digests never held a personal field:
-- marker text in their articles is only text and stays as it is.
UPDATE campaigns SET
	body_html = replace(replace(replace(replace(body_html,
		'BLTNzNAMEzq7', 'reader'), 'BLTNzMAILzq7', ''), 'BLTNzUNSBzq7', ''), 'BLTNzPREFzq7', ''),
	body_text = replace(replace(replace(replace(body_text,
		'BLTNzNAMEzq7', 'reader'), 'BLTNzMAILzq7', ''), 'BLTNzUNSBzq7', ''), 'BLTNzPREFzq7', '')
WHERE kind = 'campaign';
